//go:build unix

package fileperm

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

func openNonBlocking(path string) (*os.File, error) {
	return Open(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// problem applies r to fi. With trusted (from ReadTrusted) it also accepts a sticky
// directory of the user or root that others can write to, a file or directory writable by
// a trusted group or the user's private group, and any owner for a trusted group.
func (r Rule) problem(fi fs.FileInfo, trusted map[uint32]bool) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	euid := geteuid()
	ownerOK := st.Uid == euid || r.RootOK && st.Uid == 0
	if bad := fi.Mode().Perm() & r.Mask; bad != 0 {
		switch {
		case trusted != nil && fi.IsDir() && fi.Mode()&fs.ModeSticky != 0 && ownerOK:
		case trusted != nil && bad&0o002 == 0 && (trusted[st.Gid] || privateGroup(st.Gid)):
		case r.Mask&0o044 != 0:
			return fmt.Sprintf("mode %04o gives group or others access", fi.Mode().Perm())
		default:
			return fmt.Sprintf("mode %04o lets %s write to it", fi.Mode().Perm(), who(bad))
		}
	}
	switch {
	case ownerOK || trusted[st.Gid]:
	case r.RootOK:
		return fmt.Sprintf("it is owned by %s, not by you (uid %d) or root", userName(st.Uid), euid)
	default:
		return fmt.Sprintf("it is owned by uid %d, but secrun runs as uid %d", st.Uid, euid)
	}
	return ""
}

// geteuid is os.Geteuid, which is a system call each time, asked once: the rule is applied to
// every directory above every file read.
var geteuid = sync.OnceValue(func() uint32 { return uint32(os.Geteuid()) })

// checkParentsNoLinks is the common case of checkTree's walk, in half its system calls: when
// neither abs nor any directory above it is a symbolic link, abs is the file's real path and
// the Lstat of each directory is what its Stat would be, so neither EvalSymlinks (an lstat per
// component) nor a second stat of each directory is needed. It applies NoWrites to the
// directories, nearest first, as checkTree does, and reports done when it has the answer;
// at the first link or error it hands back to checkTree, which starts over.
func checkParentsNoLinks(path, abs string, trusted map[uint32]bool, offerGroups, noLink bool) (done bool, err error) {
	if !noLink { // else the caller's lstat of abs (path is abs) said that it is not a link
		if fi, err := os.Lstat(abs); err != nil || fi.Mode()&fs.ModeSymlink != 0 {
			return false, nil
		}
	}
	for _, d := range parents(abs) {
		dfi, err := os.Lstat(d)
		if err != nil || dfi.Mode()&fs.ModeSymlink != 0 {
			return false, nil
		}
		if p := NoWrites.problem(dfi, trusted); p != "" {
			return true, &Error{Path: path, At: d, Problem: p, Fix: fix(d, dfi, offerGroups)}
		}
	}
	return true, nil
}

func who(bad fs.FileMode) string {
	switch {
	case bad&0o020 == 0:
		return "others"
	case bad&0o002 == 0:
		return "its group"
	}
	return "group and others"
}

// checkTree checks the file (fi from its descriptor, or its lstat when noLink says so) and
// the directories above it.
func checkTree(path string, fi fs.FileInfo, t Trust, noLink bool) error {
	trusted := map[uint32]bool{}
	for _, name := range t.Groups {
		if g, err := user.LookupGroup(name); err == nil {
			if gid, err := strconv.ParseUint(g.Gid, 10, 32); err == nil {
				trusted[uint32(gid)] = true
			}
		}
	}
	if p := NoWrites.problem(fi, trusted); p != "" {
		return &Error{Path: path, At: path, Problem: p, Fix: fix(path, fi, !t.Settings)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if done, err := checkParentsNoLinks(path, abs, trusted, !t.Settings, noLink); done {
		return err
	}
	dirs := parents(abs)
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		dirs = append(dirs, parents(real)...)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		dfi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if p := NoWrites.problem(dfi, trusted); p != "" {
			return &Error{Path: path, At: d, Problem: p, Fix: fix(d, dfi, !t.Settings)}
		}
	}
	return nil
}

// fix says how to repair the file or directory at path, with stat fi; offerGroups adds
// trusted_groups as the other way out of group write.
func fix(path string, fi fs.FileInfo, offerGroups bool) string {
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm()&0o022 != 0 {
		h := "run: chmod go-w " + Quote(path)
		if offerGroups && fi.Mode().Perm()&0o002 == 0 {
			h += fmt.Sprintf(", or, if everyone in group %s may choose what your runs do, name it in trusted_groups in secrun's config.toml", groupName(st.Gid))
		}
		return h
	}
	return fmt.Sprintf("run as root: chown %s %s, or copy it to a file of your own", userName(uint32(os.Geteuid())), Quote(path))
}

// privateGroup reports whether gid is the user's private group: the user's primary group,
// named as the user is, which by convention has no other member.
func privateGroup(gid uint32) bool {
	name, primary := currentUser()
	return name != "" && strconv.FormatUint(uint64(gid), 10) == primary && groupName(gid) == name
}

var currentUser = sync.OnceValues(func() (name, gid string) {
	if u, err := user.Current(); err == nil {
		return u.Username, u.Gid
	}
	return "", ""
})

// userName names a uid for messages: its name, else the number.
func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		return u.Username
	}
	return "uid " + strconv.FormatUint(uint64(uid), 10)
}

// groupName names a gid: its name, else the number.
func groupName(gid uint32) string {
	if g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10)); err == nil {
		return g.Name
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// parents returns the directories above path, nearest first, up to the root.
func parents(path string) []string {
	var out []string
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		out = append(out, d)
		if filepath.Dir(d) == d {
			return out
		}
	}
}
