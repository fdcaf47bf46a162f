package launcher

import (
	"bytes"
	"testing"
)

// TestReadRandom: two reads of 32 bytes differ (equal by chance with probability 2^-256).
func TestReadRandom(t *testing.T) {
	var a, b [32]byte
	if err := readRandom(a[:]); err != nil {
		t.Fatal(err)
	}
	if err := readRandom(b[:]); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[:], b[:]) || a == [32]byte{} {
		t.Errorf("readRandom gave %x and %x", a, b)
	}
}
