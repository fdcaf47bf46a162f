//go:build unix

package launcher

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeLauncher writes an executable script called name into dir that prints version and
// counts its runs in dir/name.runs.
func fakeLauncher(t *testing.T, dir, name, version string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	script := "#!/bin/sh\necho run >> '" + p + ".runs'\necho '" + version + "'\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func runs(t *testing.T, path string) int {
	data, _ := os.ReadFile(path + ".runs")
	return strings.Count(string(data), "run")
}

func TestForwardMPI(t *testing.T) {
	dir := t.TempDir()
	fakeLauncher(t, dir, "mpirun", "mpirun (Open MPI) 4.1.4")
	fakeLauncher(t, dir, "mpiexec", "HYDRA build details:\n    Version: 4.0.2")
	fakeLauncher(t, dir, "mpiexec.hydra", "HYDRA build details:")
	fakeLauncher(t, filepath.Join(dir), "orterun", "mpirun (Open MPI)")
	os.Symlink("orterun", filepath.Join(dir, "mpirun-link"))
	other := t.TempDir()
	fakeLauncher(t, other, "mpirun", "something else")
	names := []string{"A", "B_C"}
	tests := []struct {
		argv []string
		path string
		want []string
		fl   Flavour
	}{
		{[]string{"mpirun", "-np", "4", "prog"}, dir, []string{"mpirun", "-x", "A", "-x", "B_C", "-np", "4", "prog"}, OpenMPI},
		// hydra passes its whole environment by default: nothing to add
		{[]string{"mpiexec", "-n", "2", "prog"}, dir, []string{"mpiexec", "-n", "2", "prog"}, Hydra},
		{[]string{"mpiexec.hydra", "-genvnone", "prog"}, "/nonexistent", []string{"mpiexec.hydra", "-genvlist", "A,B_C", "prog"}, Hydra},
		{[]string{"mpirun.openmpi", "prog"}, "/nonexistent", []string{"mpirun.openmpi", "-x", "A", "-x", "B_C", "prog"}, OpenMPI},
		{[]string{"/usr/bin/mpirun.mpich", "prog"}, "/nonexistent", []string{"/usr/bin/mpirun.mpich", "prog"}, Hydra},
		{[]string{"mpirun-link", "prog"}, dir, []string{"mpirun-link", "-x", "A", "-x", "B_C", "prog"}, OpenMPI},
		{[]string{filepath.Join(dir, "mpirun-link")}, "", []string{filepath.Join(dir, "mpirun-link"), "-x", "A", "-x", "B_C"}, OpenMPI},
		{[]string{"mpirun", "prog"}, other, []string{"mpirun", "prog"}, NoLauncher},
		// not on PATH before the setup lines run: the generic name is taken as Open MPI's
		{[]string{"mpirun", "prog"}, "/nonexistent", []string{"mpirun", "-x", "A", "-x", "B_C", "prog"}, OpenMPI},
		{[]string{"python3", "mpirun"}, dir, []string{"python3", "mpirun"}, NoLauncher},
	}
	for _, tt := range tests {
		t.Setenv("PATH", tt.path) // launchers are looked up in secrun's own PATH
		f := &Forwarder{Env: []string{"PATH=/from-a-secret"}, Cache: filepath.Join(t.TempDir(), "cache")}
		got, fl := f.Forward(tt.argv, names)
		if !slices.Equal(got, tt.want) || fl != tt.fl {
			t.Errorf("Forward(%q) with PATH=%s = %q, %q; want %q, %q", tt.argv, tt.path, got, fl, tt.want, tt.fl)
		}
	}
}

func TestForwardProbeIsCached(t *testing.T) {
	dir := t.TempDir()
	mpirun := fakeLauncher(t, dir, "mpirun", "HYDRA build details:")
	cache := filepath.Join(t.TempDir(), "sub", "launchers")
	t.Setenv("PATH", dir)
	f := &Forwarder{Env: []string{"PATH=" + dir, "SECRET=x"}, Cache: cache}
	for range 3 {
		if _, fl := f.Forward([]string{"mpirun"}, []string{"SECRET"}); fl != Hydra {
			t.Fatalf("flavour %q, want hydra", fl)
		}
	}
	if n := runs(t, mpirun); n != 1 {
		t.Errorf("mpirun --version ran %d times for 3 launches, want 1", n)
	}
	// a changed binary is probed again
	os.WriteFile(mpirun, []byte("#!/bin/sh\necho run >> '"+mpirun+".runs'\necho 'Open MPI'\n"), 0o755)
	if _, fl := f.Forward([]string{"mpirun"}, []string{"SECRET"}); fl != OpenMPI {
		t.Errorf("after a change: flavour %q, want openmpi", fl)
	}
	// without a cache file, every launch probes
	f.Cache = ""
	f.Forward([]string{"mpirun"}, []string{"SECRET"})
	f.Forward([]string{"mpirun"}, []string{"SECRET"})
	if n := runs(t, mpirun); n != 4 {
		t.Errorf("mpirun --version ran %d times, want 4", n)
	}
}

func TestForwardProbeGetsNoSecrets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mpirun")
	os.WriteFile(p, []byte("#!/bin/sh\n/usr/bin/env > '"+p+".env'\necho 'Open MPI'\n"), 0o755)
	t.Setenv("PATH", dir)
	f := &Forwarder{Env: []string{"PATH=" + dir, "SECRET=s3cr3t", "OTHER=1"}}
	f.Forward([]string{"mpirun"}, []string{"SECRET"})
	env, _ := os.ReadFile(p + ".env")
	if strings.Contains(string(env), "s3cr3t") || !strings.Contains(string(env), "OTHER=1") {
		t.Errorf("the probe's environment:\n%s", env)
	}
}

func TestForwardSrun(t *testing.T) {
	names := []string{"A", "B"}
	tests := []struct {
		argv   []string
		export string // SLURM_EXPORT_ENV, "-" for unset
		want   []string
	}{
		{[]string{"srun", "-n", "2", "prog"}, "-", []string{"srun", "-n", "2", "prog"}},
		{[]string{"srun", "prog"}, "ALL", []string{"srun", "prog"}},
		{[]string{"srun", "prog"}, "NONE", []string{"srun", "--export=A,B", "prog"}},
		{[]string{"srun", "prog"}, "PATH,HOME", []string{"srun", "--export=PATH,HOME,A,B", "prog"}},
		{[]string{"srun", "prog"}, "all,X", []string{"srun", "prog"}},
		{[]string{"srun", "--export=NONE", "prog"}, "-", []string{"srun", "--export=A,B", "prog"}},
		{[]string{"srun", "--export", "NIL", "-n", "2", "prog"}, "ALL", []string{"srun", "--export=A,B", "-n", "2", "prog"}},
		{[]string{"srun", "-n", "2", "--export=ALL", "prog"}, "NONE", []string{"srun", "-n", "2", "--export=ALL", "prog"}},
		{[]string{"srun", "--export=PATH,A", "prog"}, "-", []string{"srun", "--export=PATH,A,B", "prog"}},
		// an --export of the program, not of srun, is left alone
		{[]string{"srun", "-n2", "prog", "--export=NONE"}, "-", []string{"srun", "-n2", "prog", "--export=NONE"}},
		{[]string{"/usr/bin/srun", "prog"}, "NONE", []string{"/usr/bin/srun", "--export=A,B", "prog"}},
	}
	for _, tt := range tests {
		env := []string{"PATH=/nonexistent"}
		if tt.export != "-" {
			env = append(env, "SLURM_EXPORT_ENV="+tt.export)
		}
		f := &Forwarder{Env: env}
		got, fl := f.Forward(tt.argv, names)
		if !slices.Equal(got, tt.want) || fl != Srun {
			t.Errorf("Forward(%q) with SLURM_EXPORT_ENV=%s = %q, %q; want %q", tt.argv, tt.export, got, fl, tt.want)
		}
	}
}

// TestProbeBounded checks that the 'mpirun --version' probe gives up within its limit when the
// program leaves a background child that holds its output open, and that it leaves no such
// child behind.
func TestProbeBounded(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mpirun")
	script := "#!/bin/sh\necho 'mpirun (Open MPI) 4.1'\nPATH=/usr/bin:/bin sleep 15 &\necho $! > '" + p + ".bg'\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	f := &Forwarder{Env: []string{"PATH=" + dir}}
	start := time.Now()
	if _, fl := f.Forward([]string{"mpirun", "prog"}, []string{"A"}); fl != OpenMPI {
		t.Errorf("flavour %q, want %q from what the program printed before it ended", fl, OpenMPI)
	}
	if d := time.Since(start); d > probeLimit+2*time.Second {
		t.Errorf("the probe took %v, more than its limit of %v", d, probeLimit)
	}
	data, err := os.ReadFile(p + ".bg")
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	for i := 0; i < 50 && running(pid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if running(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the probe left its background child %d running", pid)
	}
}

// running reports whether pid is a process that has not exited (a zombie has).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: kill(0) is all there is
	}
	_, after, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(after, "Z")
}

func TestForwardHydra(t *testing.T) {
	names := []string{"A", "B"}
	tests := []struct {
		argv     []string
		hydraEnv string // HYDRA_ENV, "-" for unset
		want     []string
	}{
		{[]string{"mpiexec.hydra", "-n", "2", "prog"}, "-", []string{"mpiexec.hydra", "-n", "2", "prog"}},
		{[]string{"mpiexec.hydra", "-n", "2", "prog"}, "all", []string{"mpiexec.hydra", "-n", "2", "prog"}},
		{[]string{"mpiexec.hydra", "-n", "2", "prog"}, "none", []string{"mpiexec.hydra", "-genvlist", "A,B", "-n", "2", "prog"}},
		{[]string{"mpiexec.hydra", "-genvall", "-n", "2", "prog"}, "none", []string{"mpiexec.hydra", "-genvall", "-n", "2", "prog"}},
		{[]string{"mpiexec.hydra", "-genvlist", "X,A", "prog"}, "-", []string{"mpiexec.hydra", "-genvlist", "X,A,B", "prog"}},
		{[]string{"mpiexec.hydra", "--genvlist=X", "prog"}, "-", []string{"mpiexec.hydra", "-genvlist", "X,A,B", "prog"}},
		{[]string{"mpiexec.hydra", "-genvnone", "-genv", "X", "1", "prog"}, "-", []string{"mpiexec.hydra", "-genvlist", "A,B", "-genv", "X", "1", "prog"}},
		// the words after the program are its own, up to the next section
		{[]string{"mpiexec.hydra", "-l", "prog", "-genvnone", ":", "-n", "1", "-envnone", "other"}, "-",
			[]string{"mpiexec.hydra", "-l", "prog", "-genvnone", ":", "-n", "1", "-envlist", "A,B", "other"}},
		{[]string{"mpiexec.hydra", "-hosts", "a,b", "-envlist", "X", "prog", "-genvlist", "Y"}, "-",
			[]string{"mpiexec.hydra", "-hosts", "a,b", "-envlist", "X,A,B", "prog", "-genvlist", "Y"}},
	}
	for _, tt := range tests {
		env := []string{"PATH=/nonexistent"}
		if tt.hydraEnv != "-" {
			env = append(env, "HYDRA_ENV="+tt.hydraEnv)
		}
		f := &Forwarder{Env: env}
		got, fl := f.Forward(tt.argv, names)
		if !slices.Equal(got, tt.want) || fl != Hydra {
			t.Errorf("Forward(%q) with HYDRA_ENV=%s = %q, %q; want %q", tt.argv, tt.hydraEnv, got, fl, tt.want)
		}
	}
}

func TestLaunchTargets(t *testing.T) {
	tests := []struct {
		fl   Flavour
		argv []string
		want Targets
	}{
		{OpenMPI, []string{"mpirun", "-x", "A", "--mca", "plm_rsh_agent", "rsh", "--host", "n1:2,n2:2", "-np", "4", "prog", "-n", "9"},
			Targets{Ranks: "4", Hosts: "n1:2,n2:2"}},
		{OpenMPI, []string{"mpirun", "--oversubscribe", "--hostfile=hf", "-n", "2", "prog"}, Targets{Ranks: "2", Hostfile: "hf"}},
		{Hydra, []string{"mpiexec.hydra", "-genvall", "-genv", "A", "1", "-f", "hosts", "-n", "6", "prog"}, Targets{Ranks: "6", Hostfile: "hosts"}},
		{Srun, []string{"srun", "-N3", "-n", "6", "-w", "n[1-3]", "prog", "-n", "1"}, Targets{Ranks: "6", Nodes: "3", Hosts: "n[1-3]"}},
		{Srun, []string{"srun", "--nodes=2", "--ntasks=4", "prog"}, Targets{Ranks: "4", Nodes: "2"}},
		{NoLauncher, []string{"prog", "-n", "2"}, Targets{}},
	}
	for _, tt := range tests {
		if got := LaunchTargets(tt.fl, tt.argv); got != tt.want {
			t.Errorf("LaunchTargets(%s, %q) = %+v, want %+v", tt.fl, tt.argv, got, tt.want)
		}
	}
}

func TestSlurmExport(t *testing.T) {
	names := []string{"A", "B"}
	tests := []struct {
		export string // SLURM_EXPORT_ENV, "-" for unset
		fl     Flavour
		want   string // "-" for no change
	}{
		{"-", NoLauncher, "-"},
		{"ALL", NoLauncher, "-"},
		{"NONE", NoLauncher, "A,B"},
		{"PATH,A", NoLauncher, "PATH,A,B"},
		{"NONE", OpenMPI, "ALL"},
		{"NONE", Hydra, "ALL"},
		{"all,X", Hydra, "-"},
		{"NONE", Srun, "-"}, // srun gets --export
	}
	for _, tt := range tests {
		env := []string{"PATH=/nonexistent"}
		if tt.export != "-" {
			env = append(env, "SLURM_EXPORT_ENV="+tt.export)
		}
		got, ok := (&Forwarder{Env: env}).SlurmExport(tt.fl, names)
		if !ok {
			got = "-"
		}
		if got != tt.want {
			t.Errorf("SlurmExport(%s) with SLURM_EXPORT_ENV=%s = %q, want %q", tt.fl, tt.export, got, tt.want)
		}
	}
}
