package launcher

import (
	"strings"
	"sync"

	"github.com/secrun/secrun/internal/names"
)

// controlVars are the variables that decide which program runs or what code a loader, shell
// or interpreter loads, by exact name, with the reason a message gives. They are the
// variables that a value (a JSON secret's member names come from the stored value, not from
// the definition) must not set unless the definition allows it by name.
//
// The loader part is glibc's own list of variables that it drops for set-user-ID programs
// (UNSECURE_ENVVARS in glibc's unsecvars.h), for the same reason: each makes a program load a
// file or behave as a third party chose.
var controlVars = sync.OnceValue(func() map[string]string {
	return map[string]string{
		// which program runs
		"PATH": "chooses which programs run", "PATHEXT": "chooses which programs run",
		"COMSPEC": "chooses which programs run", "SHELL": "chooses the shell that programs start",
		// shells: files they source, text they evaluate, how they split and trace
		"ENV": "names a file that sh sources", "BASH_ENV": "names a file that bash sources",
		"ZDOTDIR": "chooses the files zsh sources", "IFS": "changes how shells split words",
		"PS4": "is evaluated by shells that trace", "PROMPT_COMMAND": "is run by bash",
		"SHELLOPTS": "sets bash options", "BASHOPTS": "sets bash options",
		"CDPATH": "changes where cd goes", "GLOBIGNORE": "changes shell globbing",
		"FPATH": "chooses where shells load functions from", "HOME": "chooses the startup files programs read",
		// the dynamic loader and the C library (glibc's UNSECURE_ENVVARS)
		"GCONV_PATH": "makes the C library load modules", "GETCONF_DIR": "is read by the C library",
		"GLIBC_TUNABLES": "changes the C library", "HOSTALIASES": "changes name resolution",
		"LOCALDOMAIN": "changes name resolution", "LOCPATH": "makes the C library load locale files",
		"MALLOC_TRACE": "makes the C library write a file", "NIS_PATH": "changes name resolution",
		"NLSPATH": "makes the C library load message catalogs", "RESOLV_HOST_CONF": "changes name resolution",
		"RES_OPTIONS": "changes name resolution", "TMPDIR": "chooses where programs write temporary files",
		"TZDIR":        "makes the C library load time zone files",
		"OPENSSL_CONF": "makes OpenSSL load modules", "OPENSSL_ENGINES": "makes OpenSSL load modules",
		// interpreters and runtimes: code and options they load
		"NODE_OPTIONS": "passes options to node", "NODE_PATH": "chooses the modules node loads",
		"JAVA_TOOL_OPTIONS": "passes options to the JVM", "_JAVA_OPTIONS": "passes options to the JVM",
		"JDK_JAVA_OPTIONS": "passes options to the JVM", "CLASSPATH": "chooses the classes Java loads",
		"TCLLIBPATH": "chooses the packages Tcl loads", "PHPRC": "chooses PHP's configuration",
		"PHP_INI_SCAN_DIR": "chooses PHP's configuration",
		"R_PROFILE":        "names code that R runs", "R_PROFILE_USER": "names code that R runs",
		"R_ENVIRON": "is read by R", "R_ENVIRON_USER": "is read by R",
		"R_LIBS": "chooses the packages R loads", "R_LIBS_USER": "chooses the packages R loads",
	}
})

// controlPrefixes are the families of control variables, by prefix.
var controlPrefixes = []struct{ prefix, why string }{
	{"LD_", "controls the dynamic loader"},              // LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ...
	{"DYLD_", "controls the dynamic loader"},            // macOS
	{"PYTHON", "controls the Python interpreter"},       // PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, PYTHONWARNINGS, ...
	{"PERL", "controls the Perl interpreter"},           // PERL5LIB, PERL5OPT, PERLLIB, PERL5DB, ...
	{"RUBY", "controls the Ruby interpreter"},           // RUBYOPT, RUBYLIB
	{"LUA_", "controls the Lua interpreter"},            // LUA_INIT (run as code), LUA_PATH, LUA_CPATH
	{"JULIA_", "controls Julia"},                        // JULIA_LOAD_PATH, JULIA_DEPOT_PATH
	{"BASH_FUNC_", "defines a bash function"},           // exported functions
	{"OMPI_MCA_", "sets an Open MPI parameter"},         // plm_rsh_agent names a program to run
	{"PRTE_MCA_", "sets an Open MPI runtime parameter"}, // the same, for PRRTE
	{"PMIX_MCA_", "sets a PMIx parameter"},
	{"HYDRA_", "controls MPICH's hydra launcher"}, // HYDRA_LAUNCHER_EXEC names a program to run
	{"I_MPI_HYDRA_", "controls Intel MPI's hydra launcher"},
}

// ControlVar reports whether name is a variable that decides which program runs or what a
// loader, shell or interpreter loads or evaluates (see controlVars and controlPrefixes), and
// why, for a message. Names are compared as the platform compares them (case-insensitively
// on Windows).
func ControlVar(name string) (why string, ok bool) {
	n := names.FoldVar(name) // the keys and prefixes are upper case
	if why, ok := controlVars()[n]; ok {
		return why, true
	}
	for _, p := range controlPrefixes {
		if strings.HasPrefix(n, p.prefix) {
			return p.why, true
		}
	}
	return "", false
}
