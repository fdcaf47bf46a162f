//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package envdef

import "syscall"

func ctimeNs(st *syscall.Stat_t) int64 { return st.Ctimespec.Nano() }
