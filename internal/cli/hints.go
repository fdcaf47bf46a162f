package cli

import (
	"errors"
	"io/fs"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/keystore"
)

// envdef and keystore know nothing of the command line: their errors carry data and say what
// is wrong in their own terms. The flags, variables and commands that fix them (--envs, --spec,
// -n, --store file, 'secrets doctor') are written here, and report prints every hint through
// hintOf.

// The command line's words in the hints of envdef's and keystore's errors.
const (
	useFileStore   = "or use the file store: --store file or SECRUN_STORE=file"
	doctorItems    = "'secrun secrets doctor' reports such secrets, and 'secrun secrets doctor --repair' removes them from the index"
	doctorKeyring  = "'secrun secrets doctor' checks the keyring against its index; --store file uses the file store instead"
	keepInFile     = "keep it in the file store: store it with --store file (or SECRUN_STORE=file)"
	pickSpec       = "; pick one with --spec KEY=VALUE"
	askCores       = "ask for a core count that one of them holds with -n N, or "
	passEnvs       = " or pass --envs FILE"
	checkEnvsPaths = "check the path given with --envs or SECRUN_ENVS"
)

// hintOf returns the hint of the outermost error in err's tree that has one (as errors.As
// finds it): the command line's words for a typed error of envdef or keystore, else the
// error's own Hint.
func hintOf(err error) string {
	h, _ := findHint(err)
	return h
}

func findHint(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	if h, ok := cliHint(err); ok {
		return h, true
	}
	if h, ok := err.(interface{ Hint() string }); ok {
		return h.Hint(), true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return findHint(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if h, ok := findHint(e); ok {
				return h, true
			}
		}
	}
	return "", false
}

// cliHint words the hint of one error of envdef or keystore (not its wrapped ones).
func cliHint(err error) (string, bool) {
	switch e := err.(type) {
	case *envdef.NotFoundError:
		if len(e.Known) == 0 && len(e.Files) == 0 {
			return e.Hint() + passEnvs, true
		}
	case *envdef.DefError:
		if e.Fix == "" && errors.Is(e.Err, fs.ErrNotExist) {
			return checkEnvsPaths, true // an explicit file that is not there
		}
	case *envdef.NoInstanceError:
		return askCores + e.Hint(), true
	case *keystore.KeyError:
		if errors.Is(e.Err, keystore.ErrItemMissing) {
			return doctorItems, true
		}
		return "", true // a key error has no hint of its own
	case *keystore.UnavailableError:
		if e.Untrusted {
			return e.Hint() + "; " + useFileStore, true
		}
		return e.Hint() + ", " + useFileStore, true
	case *keystore.TooLargeError:
		return keepInFile, true
	case *keystore.KeyringError:
		return doctorKeyring, true
	}
	return "", false
}

// specError is an ambiguous environment name, with the flag that picks one.
type specError struct{ *envdef.AmbiguousError }

func (e specError) Error() string { return e.AmbiguousError.Error() + pickSpec }
func (e specError) Unwrap() error { return e.AmbiguousError }

// withSpecWords gives an ambiguous name (from envdef's Pick) the flag that picks one; other
// errors pass unchanged.
func withSpecWords(err error) error {
	if amb, ok := err.(*envdef.AmbiguousError); ok {
		return specError{amb}
	}
	return err
}
