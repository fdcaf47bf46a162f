package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"testing"
)

// The DLL parses as a PE32+ DLL whose export directory names ProcessPrng and forwards it.
func TestDLL(t *testing.T) {
	data := DLL()
	f, err := pe.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok || f.Characteristics&pe.IMAGE_FILE_DLL == 0 || f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Fatalf("not an amd64 PE32+ DLL: %+v", f.FileHeader)
	}
	exp := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	sect := f.Section(".rdata")
	body, err := sect.Data()
	if err != nil || sect.VirtualAddress != exp.VirtualAddress {
		t.Fatalf("export section: %v at %#x", err, sect.VirtualAddress)
	}
	at := func(rva uint32) []byte { return body[rva-sect.VirtualAddress:] }
	str := func(rva uint32) string { b := at(rva); return string(b[:bytes.IndexByte(b, 0)]) }
	le := binary.LittleEndian
	dir := at(exp.VirtualAddress)
	if n := le.Uint32(dir[24:]); n != 1 {
		t.Fatalf("%d names", n)
	}
	name := str(le.Uint32(at(le.Uint32(dir[32:]))))
	fn := le.Uint32(at(le.Uint32(dir[28:])))
	if name != "ProcessPrng" || str(le.Uint32(dir[12:])) != "bcryptprimitives.dll" {
		t.Errorf("exports %q from %q", name, str(le.Uint32(dir[12:])))
	}
	if fn < exp.VirtualAddress || fn >= exp.VirtualAddress+exp.Size || str(fn) != "advapi32.SystemFunction036" {
		t.Errorf("ProcessPrng is not forwarded to advapi32.SystemFunction036: RVA %#x", fn)
	}
}
