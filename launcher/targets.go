package launcher

import (
	"strings"
	"sync"
)

// Targets is what a launcher's command line asks for, as given there ("" when it does not
// say): the rank or task count, the node count, the hosts and the host file. The audit log
// records it for a launch that secrun forwarded secrets through.
type Targets struct {
	Ranks    string `json:"ranks,omitempty"`
	Nodes    string `json:"nodes,omitempty"`
	Hosts    string `json:"hosts,omitempty"`
	Hostfile string `json:"hostfile,omitempty"`
}

// targetFlags maps each flavour's options to the Targets field they set. Like the other
// tables here, it is built on first use: a launch that does not need it does not pay for it.
var targetFlags = sync.OnceValue(func() map[Flavour]map[string]string {
	return map[Flavour]map[string]string{
		OpenMPI: {"n": "ranks", "np": "ranks", "c": "ranks", "H": "hosts", "host": "hosts",
			"hostfile": "hostfile", "machinefile": "hostfile", "default-hostfile": "hostfile"},
		Hydra: {"n": "ranks", "np": "ranks", "hosts": "hosts", "host": "hosts", "f": "hostfile",
			"hostfile": "hostfile", "machinefile": "hostfile"},
		Srun: {"n": "ranks", "ntasks": "ranks", "N": "nodes", "nodes": "nodes", "w": "hosts", "nodelist": "hosts"},
	}
})

// noValueFlags are options, of any flavour, that take no value: the word after one is the
// program or another option. Every other option is taken to have a value when the next word
// does not start with '-' (hydra's own list is hydraNoValue).
var noValueFlags = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"oversubscribe": true, "allow-run-as-root": true, "report-bindings": true, "tag-output": true,
		"timestamp-output": true, "q": true, "quiet": true, "display-map": true, "nooversubscribe": true,
		"use-hwthread-cpus": true, "noprefix": true, "exclusive": true, "overlap": true, "l": true, "label": true,
		"u": true, "unbuffered": true, "K": true, "kill-on-bad-exit": true, "Q": true,
	}
})

// LaunchTargets reads Targets from a launcher's options (up to its program).
func LaunchTargets(fl Flavour, argv []string) Targets {
	var t Targets
	flags := targetFlags()[fl]
	if flags == nil {
		return t
	}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break // the program
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		field := flags[name]
		if field == "" && !hasVal && fl == Srun && len(name) > 1 && !strings.HasPrefix(a, "--") {
			field, val, hasVal = flags[name[:1]], name[1:], true // srun's -n6, -N3
		}
		takes := !hasVal && !noValueFlags()[name] && !hydraNoValue()[name] && i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-")
		if takes {
			i++
			val = argv[i]
			if name == "mca" || name == "gmca" || fl == Hydra && (name == "genv" || name == "env") { // KEY VALUE
				i++
			}
		}
		switch field {
		case "ranks":
			t.Ranks = val
		case "nodes":
			t.Nodes = val
		case "hosts":
			t.Hosts = val
		case "hostfile":
			t.Hostfile = val
		}
	}
	return t
}
