package fileperm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadOpen reads files whose fstat size is right, too small (the file grew) and over the
// limit, as io.ReadAll of a LimitReader of limit+1 bytes would.
func TestReadOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	content := bytes.Repeat([]byte("0123456789"), 100)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size, limit int64
		want        int
	}{
		{1000, 2000, 1000}, // the fstat size
		{0, 2000, 1000},    // grew from empty after the fstat
		{10, 2000, 1000},   // grew after the fstat
		{1000, 1000, 1000}, // exactly the limit
		{1000, 999, 1000},  // over the limit: limit+1 bytes
		{5000, 100, 101},   // over the limit by its size
	} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := ReadOpen(f, tc.size, tc.limit)
		f.Close()
		if err != nil || !bytes.Equal(data, content[:tc.want]) {
			t.Errorf("ReadOpen(size %d, limit %d) = %d bytes, %v; want the first %d bytes", tc.size, tc.limit, len(data), err, tc.want)
		}
	}
}
