package launcher

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Flavour is the kind of parallel launcher a command starts with.
type Flavour string

// The launchers Forward knows how to pass variables through.
const (
	NoLauncher Flavour = ""
	OpenMPI    Flavour = "openmpi" // mpirun/mpiexec/orterun of Open MPI: -x NAME
	Hydra      Flavour = "hydra"   // MPICH or Intel MPI hydra: merged into its own -genvlist, -genvnone
	Srun       Flavour = "srun"    // SLURM: --export=...,A,B when the export setting would drop them
)

// Forwarder adds to a launcher's command line the flags that pass named variables on to ranks
// or tasks that start on other nodes. It never puts a value in argv, only names.
type Forwarder struct {
	Env   []string // the environment the launcher will get (SLURM_EXPORT_ENV); it is looked up in secrun's own PATH
	Cache string   // file that remembers probed flavours; "" probes every time
	Debug func(format string, a ...any)
}

// Forward returns argv with the forwarding flags for names added, and the launcher's flavour.
// A command that is not a known launcher comes back unchanged.
func (f *Forwarder) Forward(argv, names []string) ([]string, Flavour) {
	if len(argv) == 0 || len(names) == 0 {
		return argv, NoLauncher
	}
	fl := f.flavour(argv[0], names)
	out := []string{argv[0]}
	switch fl {
	case OpenMPI:
		for _, n := range names {
			out = append(out, "-x", n)
		}
	case Hydra:
		return f.hydra(argv, names), fl
	case Srun:
		return f.srun(argv, names), fl
	default:
		return argv, fl
	}
	return append(out, argv[1:]...), fl
}

// flavour identifies the launcher named by cmd: by its name, then by the name it resolves to
// through symlinks (Debian's mpirun -> /etc/alternatives/mpirun -> orterun), and only then by
// running 'cmd --version' once per binary and remembering the answer.
func (f *Forwarder) flavour(cmd string, names []string) Flavour {
	if fl := byName(filepath.Base(cmd)); fl != "" && fl != "probe" {
		return fl
	}
	path, err := LookPath(cmd, ownPath())
	if err != nil {
		return byNameOnly(filepath.Base(cmd))
	}
	// Only a symlink at the end can change the name; most commands are not one, and
	// EvalSymlinks would stat every directory on the way.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
	}
	switch fl := byName(filepath.Base(path)); fl {
	case "probe":
		return f.probe(path, names)
	default:
		return fl
	}
}

// byName classifies a program name: a launcher flavour, "probe" for the generic names that
// both MPI families use, or NoLauncher.
func byName(name string) Flavour {
	switch {
	case name == "srun":
		return Srun
	case name == "orterun" || name == "prterun" || strings.HasSuffix(name, ".openmpi"):
		return OpenMPI
	case name == "mpiexec.hydra" || strings.HasSuffix(name, ".mpich") || strings.HasPrefix(name, "hydra"):
		return Hydra
	case name == "mpirun" || name == "mpiexec":
		return "probe"
	}
	return NoLauncher
}

// byNameOnly is the guess for a launcher that cannot be found before the setup lines run
// (a 'module load' puts it on PATH): the generic names are taken as Open MPI's, the family
// whose ranks get nothing that is not named; hydra forwards the whole environment anyway.
func byNameOnly(name string) Flavour {
	if fl := byName(name); fl != "probe" {
		return fl
	}
	return OpenMPI
}

// probeLimit bounds the 'mpirun --version' probe: the program gets probeLimit, and anything
// still holding its output another second (exec.Cmd's WaitDelay) after it ends or is killed.
const probeLimit = 5 * time.Second

// probe runs 'path --version' (at most once per binary, as long as its size and time do not
// change) and reads the family from what it prints. The probe does not get the named
// variables.
func (f *Forwarder) probe(path string, names []string) Flavour {
	fi, err := os.Stat(path)
	if err != nil {
		return NoLauncher
	}
	id := fmt.Sprintf("%d %d %s", fi.ModTime().UnixNano(), fi.Size(), path)
	cache := f.readCache()
	if fl, ok := cache[id]; ok {
		f.debugf("%s is %s (cached in %s)", path, orNone(fl), f.Cache)
		return fl
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = slices.DeleteFunc(slices.Clone(f.Env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(names, name)
	})
	// The limit must hold for the wait too: a background child of the program that keeps its
	// output open would make CombinedOutput wait for it. The program runs in a process group
	// of its own, killed at the limit and again once the probe is over.
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	out, _ := cmd.CombinedOutput()
	killGroup(cmd)
	fl := NoLauncher
	switch {
	case bytes.Contains(out, []byte("Open MPI")) || bytes.Contains(out, []byte("OpenRTE")):
		fl = OpenMPI
	case bytes.Contains(out, []byte("HYDRA")) || bytes.Contains(out, []byte("Intel(R) MPI")) || bytes.Contains(out, []byte("MPICH")):
		fl = Hydra
	}
	f.debugf("%s --version says it is %s", path, orNone(fl))
	cache[id] = fl
	f.writeCache(cache)
	return fl
}

func orNone(fl Flavour) string {
	if fl == NoLauncher {
		return "no known MPI launcher"
	}
	return string(fl)
}

// maxCache bounds the probe cache: a line per MPI launcher binary.
const maxCache = 1 << 20

// readCache reads lines of "FLAVOUR<TAB>ID". The cache is opened without following a symlink
// and without blocking, and read only when it is a regular file of at most maxCache bytes:
// anything else in its place (a FIFO, a link to /dev/zero) costs a probe, never a hang.
func (f *Forwarder) readCache() map[string]Flavour {
	m := map[string]Flavour{}
	if f.Cache == "" {
		return m
	}
	file, err := openCache(f.Cache)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			f.debugf("ignoring the MPI launcher cache %s: %v", f.Cache, err)
		}
		return m
	}
	defer file.Close()
	fi, err := file.Stat()
	if err == nil && (!fi.Mode().IsRegular() || fi.Size() > maxCache) {
		f.debugf("ignoring the MPI launcher cache %s: it is not a regular file of at most %d KiB; the next probe replaces it", f.Cache, maxCache>>10)
		return m
	}
	data, err := io.ReadAll(io.LimitReader(file, maxCache))
	if err != nil {
		return m
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if fl, id, ok := strings.Cut(sc.Text(), "\t"); ok {
			m[id] = Flavour(fl)
		}
	}
	return m
}

// writeCache replaces the cache file atomically; failing to write it costs only a probe.
func (f *Forwarder) writeCache(m map[string]Flavour) {
	if f.Cache == "" {
		return
	}
	var b bytes.Buffer
	for _, id := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%s\t%s\n", m[id], id)
	}
	dir := filepath.Dir(f.Cache)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		f.debugf("cannot cache the MPI probe: %v", err)
		return
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(f.Cache)+".tmp-*")
	if err != nil {
		f.debugf("cannot cache the MPI probe: %v", err)
		return
	}
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.Cache)
	}
	if err != nil {
		os.Remove(tmp.Name())
		f.debugf("cannot cache the MPI probe: %v", err)
	}
}

// HydraLast is the variable put last in a hydra launcher's environment: with -genvlist, hydra
// 4.0.2 never passes the last variable of its own environment to remote ranks, whatever it
// is, and the variables secrun adds come last.
const HydraLast = "SECRUN_HYDRA_LAST=1"

// hydraNoValue are hydra's options that take no value, so that the word after them is the
// program (or another option), not their value.
var hydraNoValue = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"genvall": true, "genvnone": true, "envall": true, "envnone": true, "l": true, "prepend-rank": true,
		"ordered-output": true, "verbose": true, "v": true, "info": true, "disable-x": true, "enable-x": true,
		"print-all-exitcodes": true, "disable-auto-cleanup": true, "auto-cleanup": true,
		"disable-hostname-propagation": true, "enable-hostname-propagation": true, "skip-launch-node": true,
		"help": true, "h": true, "version": true,
	}
})

// hydra merges names into hydra's own environment options, which hydra refuses to see twice.
// Without any, hydra passes its whole environment (unless HYDRA_ENV says otherwise), and
// nothing is added. -genvall and -envall pass everything already; -genvlist and -envlist
// get the names added; -genvnone and -envnone become a list of just the names. Options are
// read up to each section's program (sections are separated by ':'); the program's own
// arguments are left alone.
func (f *Forwarder) hydra(argv, names []string) []string {
	out := []string{argv[0]}
	global := false // a -genv* option decides what hydra passes
	opts := true    // reading hydra's options, not a program's arguments
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if a == ":" {
			opts = true
			out = append(out, a)
			continue
		}
		if !opts || !strings.HasPrefix(a, "-") || a == "-" {
			opts = false
			out = append(out, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "genvall", "envall":
			global = global || name == "genvall"
			out = append(out, a)
		case "genvnone", "envnone":
			global = global || name == "genvnone"
			out = append(out, "-"+strings.TrimSuffix(name, "none")+"list", strings.Join(names, ","))
		case "genvlist", "envlist":
			global = global || name == "genvlist"
			if !hasVal && i+1 < len(argv) {
				i++
				val = argv[i]
			}
			list := strings.Split(val, ",")
			for _, n := range names {
				if !slices.Contains(list, n) {
					list = append(list, n)
				}
			}
			out = append(out, "-"+name, strings.Join(slices.DeleteFunc(list, func(s string) bool { return s == "" }), ","))
		case "genv", "env": // NAME VALUE
			out = append(out, a)
			if !hasVal {
				n := min(i+2, len(argv)-1)
				out = append(out, argv[i+1:n+1]...)
				i = n
			}
		default:
			out = append(out, a)
			if !hasVal && !hydraNoValue()[name] && i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-") {
				i++
				out = append(out, argv[i])
			}
		}
	}
	if !global {
		if v, ok := Getenv(f.Env, "HYDRA_ENV"); ok && !strings.EqualFold(v, "all") {
			out = slices.Insert(out, 1, "-genvlist", strings.Join(names, ","))
		}
	}
	return out
}

// srun passes names with --export when srun's export setting (its --export argument, else
// SLURM_EXPORT_ENV) would not carry the whole environment to the tasks.
func (f *Forwarder) srun(argv, names []string) []string {
	at, val := srunExport(argv)
	if at < 0 {
		v, ok := Getenv(f.Env, "SLURM_EXPORT_ENV")
		if !ok || v == "" {
			return argv
		}
		val = v
	}
	list, ok := exportWith(val, names)
	if !ok {
		return argv // everything is passed already
	}
	flag := "--export=" + list
	out := slices.Clone(argv)
	switch {
	case at < 0:
		return slices.Insert(out, 1, flag)
	case out[at] == "--export":
		return slices.Replace(out, at, at+2, flag)
	default:
		out[at] = flag
	}
	return out
}

// exportWith adds names to an srun export setting (NONE, a list of names, ALL or a list with
// ALL) and returns the new list, or false when the setting passes everything already.
func exportWith(val string, names []string) (string, bool) {
	var items []string
	for _, it := range strings.Split(val, ",") {
		switch strings.ToUpper(it) {
		case "ALL":
			return "", false
		case "NONE", "NIL", "":
		default:
			items = append(items, it)
		}
	}
	for _, n := range names {
		if !slices.Contains(items, n) {
			items = append(items, n)
		}
	}
	return strings.Join(items, ","), true
}

// SlurmExport returns the SLURM_EXPORT_ENV that a command secrun starts in a SLURM job should
// get, and whether it differs from the job's: in a job submitted with --export=NONE (or a list
// of names) every srun inherits that setting, so the srun of a batch script that secrun
// interprets would give its tasks none of the secrets. The command gets the setting with the
// names added. An MPI launcher's daemons, which start through srun, need the whole
// environment (without it they do not start at all), so an MPI launcher gets ALL; the ranks
// still get only what the launcher passes. srun itself gets an --export option instead.
func (f *Forwarder) SlurmExport(fl Flavour, names []string) (string, bool) {
	v, ok := Getenv(f.Env, "SLURM_EXPORT_ENV")
	if !ok || v == "" || fl == Srun {
		return "", false
	}
	list, ok := exportWith(v, names)
	switch {
	case !ok:
		return "", false
	case fl == OpenMPI || fl == Hydra:
		return "ALL", true
	}
	return list, true
}

// srunExport finds srun's --export option among its own options (those before the program)
// and returns its index and value, or -1.
func srunExport(argv []string) (int, string) {
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			return -1, ""
		case strings.HasPrefix(a, "--export="):
			return i, strings.TrimPrefix(a, "--export=")
		case a == "--export" && i+1 < len(argv):
			return i, argv[i+1]
		case !strings.HasPrefix(a, "-"):
			// a value of the previous option ("-n 2"), or the program itself
			p := argv[i-1]
			if !strings.HasPrefix(p, "-") || strings.Contains(p, "=") || len(p) > 2 && p[1] != '-' {
				return -1, ""
			}
		}
	}
	return -1, ""
}

func (f *Forwarder) debugf(format string, a ...any) {
	if f.Debug != nil {
		f.Debug(format, a...)
	}
}
