package audit

import (
	"os"

	"github.com/secrun/secrun/launcher"
)

// rankVars are the variables that give a process's rank or task number, the MPI ones first:
// under mpirun in a SLURM job, SLURM_PROCID is the daemon's, shared by a node's ranks.
var rankVars = []string{"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}

// Task says which rank or task of a parallel run a secrun is, and in which SLURM step.
type Task struct {
	Rank string `json:"rank,omitempty"`
	From string `json:"from,omitempty"` // the variable that gave Rank
	Step string `json:"step,omitempty"`
}

// currentTask is this process's rank and step, or nil outside a parallel run.
func currentTask() *Task {
	t := &Task{Step: os.Getenv("SLURM_STEP_ID")}
	for _, v := range rankVars {
		if r := os.Getenv(v); r != "" {
			t.Rank, t.From = r, v
			break
		}
	}
	if *t == (Task{}) {
		return nil
	}
	return t
}

// Launch is a launcher that secrun handed the secrets to ('secrun -- mpirun ...'): its
// flavour, the names it passes on to the ranks (never a value), and the ranks and nodes its
// command line asks for (in a SLURM job that does not say, the job's nodes).
type Launch struct {
	Flavour   launcher.Flavour `json:"flavour"`
	Forwarded []string         `json:"forwarded"`
	launcher.Targets
}

// LaunchOf describes the launch of argv for the audit log, or nil when it is no launcher.
func LaunchOf(fl launcher.Flavour, argv []string, vars []launcher.Var) *Launch {
	if fl == launcher.NoLauncher {
		return nil
	}
	l := &Launch{Flavour: fl, Targets: launcher.LaunchTargets(fl, argv)}
	for _, v := range vars {
		l.Forwarded = append(l.Forwarded, v.Name)
	}
	if l.Targets == (launcher.Targets{}) {
		l.Hosts = os.Getenv("SLURM_JOB_NODELIST")
	}
	return l
}
