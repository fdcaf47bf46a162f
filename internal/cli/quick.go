package cli

import (
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/secrun/secrun/config"
)

// stores are the values --store and SECRUN_STORE accept ("" means: not given).
var stores = append([]string{""}, config.Stores...)

// quickCmd is what quickRun fills: the global flags and run's, as kong fills them in root.
type quickCmd struct {
	globals
	Run runCmd
}

// quickRun recognises the launch shape that batch jobs use, 'secrun [run] FLAGS -- COMMAND...'
// where every flag is one of run's or a global one, and fills the structs exactly as kong
// would. Every job step and every MPI rank pays for the launch, and building kong's model of
// the whole grammar costs more than the rest of the run path together. Anything it does not
// recognise (help, a typo, a missing "--", a bad value) goes to kong, which has the final word
// on errors. TestQuickRunMatchesKong checks that both parse alike.
func quickRun(args []string) (*quickCmd, bool) {
	cli := &quickCmd{}
	if s, ok := os.LookupEnv("SECRUN_STORE"); ok {
		cli.Store = s
	}
	if len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, inline, hasInline := strings.Cut(a, "=")
		value := func() (string, bool) {
			if hasInline {
				return inline, true
			}
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				return args[i], true
			}
			return "", false
		}
		ok := true
		switch {
		case a == "--":
			cli.Run.Command = args[i:]
			return cli, (i+1 < len(args) || cli.Run.Executable != "") && slices.Contains(stores, cli.Store)
		case a == "-v" || a == "--verbose":
			cli.Verbose = true
		case a == "--clean-env":
			cli.Run.CleanEnv = true
		case a == "--no-forward":
			cli.Run.NoForward = true
		case a == "--mask":
			cli.Run.Mask = true
		case a == "-n" || name == "--num-cores":
			var v string
			if v, ok = value(); ok {
				cli.Run.NumCores, ok = count(v)
			}
		case strings.HasPrefix(a, "-n") && !hasInline:
			cli.Run.NumCores, ok = count(a[2:])
		case a == "-x" || name == "--executable":
			cli.Run.Executable, ok = value()
		case strings.HasPrefix(a, "-x") && !hasInline:
			cli.Run.Executable = a[2:]
		case name == "--parallel-mode":
			cli.Run.ParallelMode, ok = value()
		case a == "-e" || name == "--env":
			cli.Run.Env, ok = value()
		case strings.HasPrefix(a, "-e") && !hasInline:
			cli.Run.Env = a[2:]
		case name == "--spec":
			var v string
			v, ok = value()
			cli.Run.Spec = append(cli.Run.Spec, v)
		case name == "--store":
			cli.Store, ok = value()
		case name == "--envs":
			var f string
			f, ok = value()
			cli.Envs = append(cli.Envs, expandPath(f))
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
	}
	return nil, false
}

// count parses a core count in decimal, as schedulers write counts: "010" is ten, not
// octal eight. A count is at least 1: hpcFlow finds no instance for 0, so -n 0 is an error,
// never "not given". Anything else goes to kong, whose "cores" mapper (coresMapper) uses count.
func count(s string) (int, bool) {
	n, err := strconv.ParseInt(s, 10, 0)
	return int(n), err == nil && n >= 1
}

// quickFlag is a flag as quickRun takes it. quickFlags is its table, by long name: the run
// command's flags and the global ones that quickRun handles; TestQuickFlagsMatchKong compares
// it with kong's model of those flags (names, short letters, values, repetition, variables),
// so that a new flag or a changed tag fails that test until quickRun handles it or declines it,
// and parses every flag of the table in each of its forms with both.
type quickFlag struct {
	short rune   // the short letter, or 0
	value bool   // it takes a value
	many  bool   // it may be repeated, each value kept
	env   string // the variable that stands in for it when it is not given
}

var quickFlags = map[string]quickFlag{
	"verbose": {short: 'v'}, "clean-env": {}, "no-forward": {}, "mask": {},
	"num-cores":     {short: 'n', value: true},
	"executable":    {short: 'x', value: true},
	"parallel-mode": {value: true},
	"env":           {short: 'e', value: true},
	"spec":          {value: true, many: true},
	"store":         {value: true, env: "SECRUN_STORE"},
	"envs":          {value: true, many: true},
}

// quickDeclined are the flags of run and the global ones that quickRun leaves to kong.
var quickDeclined = []string{"help", "version"}

// expandPath expands a path as kong's "path" type does (kong.ExpandPath, in
// github.com/alecthomas/kong options.go), which quickRun applies to --envs: an absolute path
// as it is, ~/ as the user's home directory from the user database, anything else made
// absolute. The lean build does not link kong; TestExpandPathMatchesKong compares the two.
func expandPath(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		u, err := user.Current()
		if err != nil {
			return path
		}
		return filepath.Join(u.HomeDir, rest)
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
