package keystore

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// benchStore returns the bytes of a store file with n secrets of 50 bytes, as write makes it.
func benchStore(b *testing.B, n int) []byte {
	b.Helper()
	s := NewFile(b.TempDir())
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	s.now = func() time.Time { return now }
	entries := make([]fileEntry, n)
	for i := range entries {
		entries[i] = fileEntry{Key: fmt.Sprintf("BENCH_%d", i+1), Value: []byte(fmt.Sprintf("v%02d-%047x", i, i)), Created: now, Updated: now}
	}
	if err := s.write(entries); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(s.Location())
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecode100 decodes a store of 100 secrets, as every launch does once.
func BenchmarkDecode100(b *testing.B) {
	data := benchStore(b, 100)
	for b.Loop() {
		if _, err := decode("secrets.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
