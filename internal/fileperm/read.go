package fileperm

import (
	"io"
	"os"
)

// ReadOpen reads f, whose fstat gave size, to its end, refusing more than limit bytes: it
// returns at most limit+1 bytes, so a caller sees that the file is over the limit. The buffer
// is sized from the fstat at once (one read and the one that sees the end, where io.ReadAll
// would grow it from 512 bytes and copy it a dozen times for a store of 25 KB); a file that
// grew after the fstat is read on to the limit as well.
func ReadOpen(f *os.File, size, limit int64) ([]byte, error) {
	n := min(max(size, 0), limit) + 1
	data := make([]byte, 0, n)
	for int64(len(data)) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grow, keeping what was read
		}
		end := min(int64(cap(data)), limit+1)
		m, err := f.Read(data[len(data):end])
		data = data[:len(data)+m]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
	}
	return data, nil
}
