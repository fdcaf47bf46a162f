// Command prngdll writes bcryptprimitives.dll for a Wine prefix that lacks it: a PE32+ DLL
// without code whose one export, ProcessPrng, is forwarded to advapi32.SystemFunction036
// (RtlGenRandom). Every Go 1.22+ Windows program calls ProcessPrng at start-up; real Windows
// 10 and 11 ship the DLL, Wine 8.0 does not. testenv/wine.sh runs it:
//
//	go run ./testenv/prngdll PATH
package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

const (
	fileAlign = 0x200
	sectRVA   = 0x1000 // the one section, .rdata, which holds the export directory
	sectAlign = 0x1000
)

// DLL returns the bytes of the DLL.
func DLL() []byte {
	// The export directory and its tables, laid out from sectRVA.
	const (
		dirSize   = 40
		eatRVA    = sectRVA + dirSize // one function RVA
		namesRVA  = eatRVA + 4        // one name RVA
		ordsRVA   = namesRVA + 4      // one ordinal
		stringRVA = ordsRVA + 2
	)
	strs := []string{"bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036"}
	var strRVA []uint32
	var strData []byte
	for _, s := range strs {
		strRVA = append(strRVA, uint32(stringRVA+len(strData)))
		strData = append(append(strData, s...), 0)
	}
	exp := make([]byte, stringRVA-sectRVA, stringRVA-sectRVA+len(strData))
	le := binary.LittleEndian
	le.PutUint32(exp[12:], strRVA[0]) // Name
	le.PutUint32(exp[16:], 1)         // Base (first ordinal)
	le.PutUint32(exp[20:], 1)         // NumberOfFunctions
	le.PutUint32(exp[24:], 1)         // NumberOfNames
	le.PutUint32(exp[28:], eatRVA)
	le.PutUint32(exp[32:], namesRVA)
	le.PutUint32(exp[36:], ordsRVA)
	// A function RVA inside the export directory makes the export a forwarder: it points to
	// the "dll.function" string.
	le.PutUint32(exp[eatRVA-sectRVA:], strRVA[2])
	le.PutUint32(exp[namesRVA-sectRVA:], strRVA[1])
	le.PutUint16(exp[ordsRVA-sectRVA:], 0)
	exp = append(exp, strData...)

	out := make([]byte, 2*fileAlign)
	copy(out, "MZ")
	le.PutUint32(out[0x3c:], 0x40) // e_lfanew
	pe := out[0x40:]
	copy(pe, "PE\x00\x00")
	coff := pe[4:]
	le.PutUint16(coff[0:], 0x8664)  // AMD64
	le.PutUint16(coff[2:], 1)       // NumberOfSections
	le.PutUint16(coff[16:], 240)    // SizeOfOptionalHeader
	le.PutUint16(coff[18:], 0x2022) // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE | DLL
	opt := coff[20:]
	le.PutUint16(opt[0:], 0x20b)     // PE32+
	le.PutUint32(opt[8:], fileAlign) // SizeOfInitializedData
	le.PutUint32(opt[20:], sectRVA)  // BaseOfCode
	le.PutUint64(opt[24:], 0x180000000)
	le.PutUint32(opt[32:], sectAlign)
	le.PutUint32(opt[36:], fileAlign)
	le.PutUint16(opt[40:], 6)                 // MajorOperatingSystemVersion
	le.PutUint16(opt[48:], 6)                 // MajorSubsystemVersion
	le.PutUint32(opt[56:], sectRVA+sectAlign) // SizeOfImage
	le.PutUint32(opt[60:], fileAlign)         // SizeOfHeaders
	le.PutUint16(opt[68:], 3)                 // Subsystem: console
	le.PutUint16(opt[70:], 0x100)             // DllCharacteristics: NX_COMPAT
	le.PutUint64(opt[72:], 0x100000)          // SizeOfStackReserve
	le.PutUint64(opt[80:], 0x1000)            // SizeOfStackCommit
	le.PutUint64(opt[88:], 0x100000)          // SizeOfHeapReserve
	le.PutUint64(opt[96:], 0x1000)            // SizeOfHeapCommit
	le.PutUint32(opt[108:], 16)               // NumberOfRvaAndSizes
	le.PutUint32(opt[112:], sectRVA)          // data directory 0: exports
	le.PutUint32(opt[116:], uint32(len(exp)))
	sect := opt[240:]
	copy(sect, ".rdata")
	le.PutUint32(sect[8:], uint32(len(exp))) // VirtualSize
	le.PutUint32(sect[12:], sectRVA)
	le.PutUint32(sect[16:], fileAlign)  // SizeOfRawData
	le.PutUint32(sect[20:], fileAlign)  // PointerToRawData
	le.PutUint32(sect[36:], 0x40000040) // INITIALIZED_DATA | MEM_READ
	copy(out[fileAlign:], exp)
	return out
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: prngdll PATH")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], DLL(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "prngdll:", err)
		os.Exit(1)
	}
}
