//go:build !lean

package cli

import (
	"fmt"

	"github.com/alecthomas/kong"
	"github.com/secrun/secrun/internal/man"
)

// manCmd prints the manual page, generated from the same kong model as --help. The release
// build writes it to secrun.1 (scripts/assets.sh).
type manCmd struct{}

func (c *manCmd) Run(ctx *kong.Context, g *globals) error {
	err := man.Write(g.stdout, ctx.Model, man.Page{
		Name:    "secrun",
		Section: "1",
		Date:    manDate,
		Source:  manSource,
		Manual:  "User Commands",
		Short:   "run a command with secrets from a store in its environment",
		Synopsis: []string{
			"secrun [OPTIONS] -e ENV [-n N] -- COMMAND [ARGS...]",
		},
		Sections: manSections,
	})
	if err != nil {
		return fmt.Errorf("cannot write the manual page: %w", err)
	}
	return nil
}

// manSections are the parts of the manual page that the command model does not hold.
var manSections = []man.Section{
	{Title: "Environment definitions", Body: `Environments are defined in TOML, read in this order, a later file overriding an environment of the same name: /etc/secrun/envs.toml, /etc/secrun/envs.d/*.toml, $XDG_CONFIG_HOME/secrun/envs.toml, $XDG_CONFIG_HOME/secrun/envs.d/*.toml, each --envs FILE, then each file in SECRUN_ENVS. An example:

  [[env]]
  name = "my_env"
  setup = ["module load openmpi/4.1"]
  secrets = ["API_TOKEN", { key = "db-password", as_env_var = "DB_PASS" }]

Setup lines, and an instance command that is shell text (variables, quotes around expansions, several lines, operators), run as one script in bash (the shell key chooses another; /bin/sh when bash is missing), as hpcFlow runs them; the last command is exec'd when it is a program. A plain word list with no setup lines is exec'd directly. In a command, <<num_cores>> is the core count, <<args>> the words after the label (each quoted), and <<script_name>>, <<script_path>>, <<script_dir>> and <<script_name_no_ext>> describe the first of those words, the script.

SECRUN_ENV_SOURCES=hpcflow,matflow also reads the environment files listed under environment_sources in those apps' config.yaml.

The packages install a longer example as /etc/secrun/envs.toml.example. Definitions never hold values.`},
	{Title: "Environment", Body: `SECRUN_STORE selects the store (auto, file or keyring), as --store does.

SECRUN_ENVS is a list of definition files (':'-separated; ';' on Windows), read after the standard ones.

SECRUN_MAX_FILE_SIZE is the default of 'secrets set --max-size'.

SECRUN_DATA_DIR replaces the directory of the file store and the keyring index.

XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR place secrun's files as the XDG base directory specification says.

HPCFLOW_RUN_NUM_CORES, MATFLOW_RUN_NUM_CORES (set by hpcFlow and MatFlow for the commands they run), SLURM_NTASKS, SLURM_NPROCS, PBS_NP, NCPUS and NSLOTS give the core count when -n is not given.

The command gets SECRUN_ENV, SECRUN_NUM_CORES, SECRUN_EXECUTABLE and SECRUN_DEPTH, and, for file secrets, NAME_FILE and SECRUN_SECRETS_DIR.`},
	{Title: "Files", Body: `  ~/.local/share/secrun/secrets.json    the file store (mode 0600)
  ~/.local/share/secrun/keyring-index.json    key names of the keyring store
  ~/.config/secrun/config.toml    settings (store = "auto", "file" or "keyring"; audit = true; trusted_groups = ["GROUP"])
  ~/.local/state/secrun/audit.jsonl    the audit log, one JSON line per run (keys, never values)
  ~/.config/secrun/envs.toml    your environment definitions
  /etc/secrun/envs.toml    site-wide environment definitions
  ~/.cache/secrun/definitions.cache    parsed definitions, by each file's identity (never a value)
  secrun-full    beside secrun in release installs on Linux and macOS: secrun runs launches from cached definitions and the file store itself and hands every other command, --verbose, a changed definition file and keyring secrets to secrun-full, with the same arguments
Definition files and config.toml are refused when anyone but the user or root can write them or a directory above them (a group named in trusted_groups excepted), when they are not regular files, or when they are over 1 MiB.`},
	{Title: "Exit status", Body: `The command's own status when it ran; 125 when secrun itself fails (bad flags, a bad definition, a missing secret); 126 when the command was found but cannot run; 127 when it was not found; 1 from 'secrets doctor' when it found disagreements, and from 'env check' when it found errors.`},
	{Title: "Security", Body: `secrun never prints a secret value in its messages, in --verbose output or in completions, and never puts one in argv. A variable given to the command is visible to the command and everything it starts, and to processes of the same user through /proc. While secrun holds values it cannot dump core and, on Linux, is not dumpable; the command gets the user's own core limit. --mask replaces values of 4 bytes or more in the command's output with <concealed by secrun>.`},
	{Title: "See also", Body: `env(1), srun(1), mpirun(1). The README of secrun and its docs/ pages describe every behaviour in detail.`},
}
