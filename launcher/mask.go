package launcher

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"syscall"
)

// Concealed replaces every secret value in masked output.
const Concealed = "<concealed by secrun>"

// MinMaskLen is the shortest value that masking replaces: shorter ones would replace common
// words and numbers everywhere in the output.
const MinMaskLen = 4

// MaskPatterns turns secret values into the byte strings a Masker replaces: each value
// without a line break, and each line of a value with line breaks (a trailing \r dropped),
// when it is at least MinMaskLen bytes. The result has no duplicates.
func MaskPatterns(values [][]byte) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, v := range values {
		for _, line := range bytes.Split(v, []byte("\n")) {
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) < MinMaskLen || seen[string(line)] {
				continue
			}
			seen[string(line)] = true
			out = append(out, line)
		}
	}
	return out
}

// hashBits is the size of the prefilters, in bits of the hash of a 4-byte window.
const hashBits = 16

// maxStride caps how many positions the prefilter skips.
const maxStride = 8

// Masker finds secret values in a byte stream. At each position it replaces the longest
// value that starts there, then continues after it (leftmost, longest). Text between two
// replacements never holds a value. A Masker is read-only once built and may be shared.
//
// The scan looks at one 4-byte window every stride bytes, where stride is the shortest
// value's length less 3 (at most 8): every occurrence of a value then holds one of the
// windows looked at, at an offset below stride. A Bloom-style bit set of all those windows
// of all values rejects almost every window at the cost of one multiply and one load; only
// on a hit are the positions before it checked exactly.
type Masker struct {
	byPrefix map[uint32][][]byte // 4-byte prefix -> patterns, longest first
	prefix   []uint64            // bit hash(w) set for each 4-byte prefix w
	window   []uint64            // bit hash(w) set for each 4-byte window at offsets 0..stride-1
	patterns [][]byte            // all, for the short tail of a buffer
	maxLen   int
	stride   int
}

// NewMasker builds a Masker for patterns; those shorter than MinMaskLen are ignored.
func NewMasker(patterns [][]byte) *Masker {
	m := &Masker{byPrefix: map[uint32][][]byte{}, prefix: make([]uint64, 1<<hashBits/64),
		window: make([]uint64, 1<<hashBits/64), stride: maxStride}
	for _, p := range patterns {
		if len(p) < MinMaskLen {
			continue
		}
		p = bytes.Clone(p)
		w := binary.LittleEndian.Uint32(p)
		m.byPrefix[w] = append(m.byPrefix[w], p)
		setBit(m.prefix, w)
		m.patterns = append(m.patterns, p)
		m.maxLen = max(m.maxLen, len(p))
		m.stride = min(m.stride, len(p)-3)
	}
	for _, ps := range m.byPrefix {
		slices.SortFunc(ps, func(a, b []byte) int { return len(b) - len(a) })
	}
	for _, p := range m.patterns {
		for off := range m.stride {
			setBit(m.window, binary.LittleEndian.Uint32(p[off:]))
		}
	}
	return m
}

// Empty reports whether the Masker has nothing to replace.
func (m *Masker) Empty() bool { return len(m.patterns) == 0 }

func hash4(w uint32) uint32 { return (w * 0x9E3779B1) >> (32 - hashBits) }

func setBit(set []uint64, w uint32) {
	h := hash4(w)
	set[h>>6] |= 1 << (h & 63)
}

// at checks position s of buf exactly: the length of the longest value that starts there, or
// 0, and whether a value could start there that the bytes after buf would complete.
func (m *Masker) at(buf []byte, s int, eof bool) (int, bool) {
	if s+4 <= len(buf) {
		w := binary.LittleEndian.Uint32(buf[s:])
		h := hash4(w)
		if m.prefix[h>>6]&(1<<(h&63)) == 0 {
			return 0, false
		}
		return longest(m.byPrefix[w], buf[s:], eof)
	}
	if !eof {
		for _, p := range m.patterns {
			if bytes.HasPrefix(p, buf[s:]) {
				return 0, true
			}
		}
	}
	return 0, false
}

// scan masks buf up to the point where the result no longer depends on bytes after buf, and
// returns that point. With eof, that is all of buf. Bytes from the returned point on could
// start a value that the next bytes complete. When buf[:done] holds a value, scan appends its
// masked form to out and reports replaced; otherwise out is returned as it was, and
// buf[:done] is the output.
func (m *Masker) scan(out, buf []byte, eof bool) (_ []byte, done int, replaced bool) {
	n := len(buf)
	if len(m.patterns) == 0 {
		return out, n, false
	}
	last := 0 // first byte not yet copied to out
	next := 0 // first position not yet checked
	k := m.stride
	// Windows are looked at while the longest value fits after them (at eof, while a
	// window fits); the rest is checked position by position below.
	limit := n - m.maxLen + 1
	if eof {
		limit = n - 3
	}
	for p := 0; p < limit; {
		h := hash4(binary.LittleEndian.Uint32(buf[p:]))
		if m.window[h>>6]&(1<<(h&63)) == 0 {
			p += k
			next = p - k + 1
			continue
		}
		hit := false
		for s := next; s <= p; s++ {
			match, partial := m.at(buf, s, eof)
			if partial {
				done = s
				goto finish
			}
			if match > 0 {
				out = append(append(out, buf[last:s]...), Concealed...)
				replaced, hit = true, true
				last, next, p = s+match, s+match, s+match
				break
			}
		}
		if !hit {
			next = p + 1
			p += k
		}
	}
	done = n
	for s := next; s < n; {
		match, partial := m.at(buf, s, eof)
		if partial {
			done = s
			break
		}
		if match > 0 {
			out = append(append(out, buf[last:s]...), Concealed...)
			replaced = true
			s += match
			last = s
			continue
		}
		s++
	}
finish:
	if replaced {
		out = append(out, buf[last:done]...)
	}
	return out, done, replaced
}

// longest returns the length of the longest of ps (sorted longest first) that starts rest,
// or 0, and whether a longer one could still match once more bytes arrive.
func longest(ps [][]byte, rest []byte, eof bool) (int, bool) {
	for _, p := range ps {
		if len(p) <= len(rest) {
			if bytes.Equal(rest[:len(p)], p) {
				return len(p), false
			}
		} else if !eof && bytes.HasPrefix(p, rest) {
			return 0, true
		}
	}
	return 0, false
}

// Filter is an io.Writer that masks what is written to it and passes the result on to W.
// It holds back only the bytes at the end of a write that could begin a value (never a
// line break, since patterns have none), so a line reaches W as soon as it is written.
// Close passes on what is held back.
type Filter struct {
	M    *Masker
	W    io.Writer
	pend []byte
	out  []byte
}

// Write masks p (after any bytes held back) and writes what is decided to W.
func (f *Filter) Write(p []byte) (int, error) {
	f.pend = append(f.pend, p...)
	if err := f.emit(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close masks and writes the bytes held back. It does not close W.
func (f *Filter) Close() error { return f.emit(true) }

func (f *Filter) emit(eof bool) error {
	out, done, replaced := f.M.scan(f.out[:0], f.pend, eof)
	f.out = out
	if !replaced {
		out = f.pend[:done]
	}
	var err error
	if len(out) > 0 {
		_, err = f.W.Write(out)
	}
	f.pend = f.pend[:copy(f.pend, f.pend[done:])]
	return err
}

// copyBuf is the read size of MaskCopy: larger than a pipe's default capacity of 64 KiB.
const copyBuf = 256 << 10

// MaskCopy copies src to dst through m until src ends, writing after every read, so that
// output appears as soon as the writer of src makes it (line-buffered latency or better), or
// until a write to dst fails with EPIPE.
// It reads directly behind the bytes held back, without an extra copy of the stream.
func MaskCopy(dst io.Writer, src io.Reader, m *Masker) error {
	buf := make([]byte, 0, copyBuf+m.maxLen)
	out := make([]byte, 0, copyBuf+copyBuf/2)
	var werr error
	for {
		n, rerr := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := rerr != nil
		var done int
		var replaced bool
		out, done, replaced = m.scan(out[:0], buf, eof)
		w := out
		if !replaced {
			w = buf[:done]
		}
		if len(w) > 0 && werr == nil {
			_, werr = dst.Write(w)
			// A reader that went away (EPIPE) ends the copy: the caller closes src, so that
			// the writer sees the broken pipe itself. After another failed write (a closed
			// terminal) keep reading, so that the writer is not blocked on a full pipe; its
			// output is dropped.
			if errors.Is(werr, syscall.EPIPE) {
				return werr
			}
		}
		buf = buf[:copy(buf, buf[done:])]
		if eof {
			if rerr == io.EOF {
				return werr
			}
			return rerr
		}
	}
}
