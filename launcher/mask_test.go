package launcher

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveMask is the reference: at each position the longest pattern that starts there.
func naiveMask(in []byte, patterns [][]byte) []byte {
	var out []byte
	for i := 0; i < len(in); {
		best := 0
		for _, p := range patterns {
			if len(p) >= MinMaskLen && len(p) > best && bytes.HasPrefix(in[i:], p) {
				best = len(p)
			}
		}
		if best > 0 {
			out = append(out, Concealed...)
			i += best
			continue
		}
		out = append(out, in[i])
		i++
	}
	return out
}

// maskChunks writes in to a Filter in pieces cut at the given points.
func maskChunks(t testing.TB, m *Masker, in []byte, cuts []int) []byte {
	var out bytes.Buffer
	f := &Filter{M: m, W: &out}
	prev := 0
	for _, c := range cuts {
		c = min(max(c, prev), len(in))
		if _, err := f.Write(in[prev:c]); err != nil {
			t.Fatal(err)
		}
		prev = c
	}
	f.Write(in[prev:])
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestMask(t *testing.T) {
	bs := func(s ...string) [][]byte {
		var out [][]byte
		for _, x := range s {
			out = append(out, []byte(x))
		}
		return out
	}
	c := Concealed
	tests := []struct {
		name     string
		patterns [][]byte
		in, want string
	}{
		{"one", bs("s3cr3t"), "a s3cr3t b\n", "a " + c + " b\n"},
		{"twice adjacent", bs("s3cr3t"), "s3cr3ts3cr3t", c + c},
		{"short ignored", bs("abc"), "abc abc", "abc abc"},
		{"prefix of another", bs("pass", "password1"), "password1 pass passwor", c + " " + c + " " + c + "wor"},
		{"overlapping", bs("abcd", "cdef"), "abcdef cdef", c + "ef " + c},
		{"at the very end", bs("tail"), "xx tail", "xx " + c},
		{"partial at the end", bs("tailend"), "xx tailen", "xx tailen"},
		{"binary", bs("\x00\xff\x01\x02"), "\x00\x00\xff\x01\x02\xff", "\x00" + c + "\xff"},
		{"no patterns", nil, "anything", "anything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMasker(tt.patterns)
			in := []byte(tt.in)
			if got := string(naiveMask(in, tt.patterns)); got != tt.want {
				t.Fatalf("reference gives %q, test wants %q", got, tt.want)
			}
			for cut := 0; cut <= len(in); cut++ {
				if got := string(maskChunks(t, m, in, []int{cut})); got != tt.want {
					t.Errorf("cut at %d: got %q, want %q", cut, got, tt.want)
				}
			}
			// every byte a write of its own
			cuts := make([]int, len(in))
			for i := range cuts {
				cuts[i] = i
			}
			if got := string(maskChunks(t, m, in, cuts)); got != tt.want {
				t.Errorf("one byte per write: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMaskPatterns(t *testing.T) {
	got := MaskPatterns([][]byte{[]byte("line one\r\nab\nline two\n"), []byte("single"), []byte("single"), []byte("xyz")})
	want := []string{"line one", "line two", "single"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("pattern %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// TestMaskLineLatency checks that a complete line is passed on by the write that ends it,
// even when the line ends with the beginning of a value.
func TestMaskLineLatency(t *testing.T) {
	var out bytes.Buffer
	f := &Filter{M: NewMasker([][]byte{[]byte("s3cr3t")}), W: &out}
	f.Write([]byte("first s3cr"))
	if out.String() != "first " {
		t.Fatalf("after a partial value: %q", out.String())
	}
	f.Write([]byte("3t\nsecond line s3\n"))
	if want := "first " + Concealed + "\nsecond line s3\n"; out.String() != want {
		t.Fatalf("after the line ends: %q, want %q", out.String(), want)
	}
}

// TestMaskCopyLarge copies 100 MB with values at random places through random read sizes.
func TestMaskCopyLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB")
	}
	r := rand.New(rand.NewPCG(1, 2))
	patterns := [][]byte{[]byte("s3cr3t-value"), []byte("s3cr3t"), []byte("another-secret-1234")}
	m := NewMasker(patterns)
	var in bytes.Buffer
	for in.Len() < 100<<20 {
		in.WriteString(strings.Repeat("x", r.IntN(2000)))
		in.Write(patterns[r.IntN(len(patterns))])
	}
	var out bytes.Buffer
	if err := MaskCopy(&out, &randomReads{r: r, data: in.Bytes()}, m); err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		if bytes.Contains(out.Bytes(), p) {
			t.Fatalf("output holds %q", p)
		}
	}
	if whole := maskChunks(t, m, in.Bytes(), nil); !bytes.Equal(out.Bytes(), whole) {
		t.Fatal("MaskCopy with random reads differs from one write of the whole stream")
	}
}

type randomReads struct {
	r    *rand.Rand
	data []byte
}

func (rr *randomReads) Read(p []byte) (int, error) {
	if len(rr.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(rr.data), 1+rr.r.IntN(100000))
	copy(p, rr.data[:n])
	rr.data = rr.data[n:]
	return n, nil
}

// FuzzMask checks that however the input is cut into writes, the Filter gives what the
// reference gives for the whole input, and that no text between two replacements holds a value.
func FuzzMask(f *testing.F) {
	f.Add([]byte("a s3cr3t b"), []byte("s3cr3t"), []byte("cr3t b"), uint16(3), uint16(7))
	f.Add([]byte("passwordpass"), []byte("pass"), []byte("password"), uint16(2), uint16(9))
	f.Add([]byte("\x00\x01\x02\x03\x04"), []byte("\x01\x02\x03\x04"), []byte("\x00\x01\x02\x03"), uint16(1), uint16(1))
	f.Fuzz(func(t *testing.T, in, p1, p2 []byte, cut1, cut2 uint16) {
		patterns := [][]byte{p1, p2}
		m := NewMasker(patterns)
		got := maskChunks(t, m, in, []int{int(cut1) % (len(in) + 1), int(cut2) % (len(in) + 1)})
		want := naiveMask(in, patterns)
		if !bytes.Equal(got, want) {
			t.Fatalf("chunked %q, whole %q", got, want)
		}
		for _, seg := range bytes.Split(got, []byte(Concealed)) {
			for _, p := range patterns {
				if len(p) >= MinMaskLen && bytes.Contains(seg, p) && !bytes.Contains([]byte(Concealed), p) {
					t.Fatalf("output %q holds %q", got, p)
				}
			}
		}
	})
}

// BenchmarkMask scans 1 MiB of text with 100 values in it against 100 patterns, beside a plain
// copy of the same buffer (the baseline, in the same run).
func BenchmarkMask(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	var patterns [][]byte
	for i := range 100 {
		patterns = append(patterns, []byte(strings.Repeat(string(rune('a'+i%26)), 3)+"-token-"+strings.Repeat("z", i%20)))
	}
	var in bytes.Buffer
	for in.Len() < 1<<20 {
		for range 200 {
			in.WriteByte(" abcdefghijklmnopqrstuvwxyz0123456789\n"[r.IntN(38)])
		}
		if r.IntN(50) == 0 {
			in.Write(patterns[r.IntN(100)])
		}
	}
	m := NewMasker(patterns)
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		out := make([]byte, in.Len())
		for b.Loop() {
			copy(out, in.Bytes())
		}
	})
	b.Run("mask", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		out := make([]byte, 0, 2*in.Len())
		for b.Loop() {
			m.scan(out[:0], in.Bytes(), true)
		}
	})
}
