package launcher

import (
	"errors"

	"golang.org/x/sys/unix"
)

// readRandom fills b from the kernel's random source, getrandom(2), as crypto/rand does on
// Linux, without linking Go's crypto packages: their package inits (a dozen of them) would
// cost every launch, and the names of private directories are all that needs random bytes.
func readRandom(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Getrandom(b, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
