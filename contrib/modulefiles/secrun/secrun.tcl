#%Module1.0
##
## secrun modulefile, for Lmod and Environment Modules (Tcl).
##
## Install secrun under $root/<version> (bin/secrun and, from a release archive, bin/secrun-full
## beside it; share/man/man1/secrun.1, share/... completions: the release archive or
## 'spack install secrun' lays it out so), then copy this
## file to <a directory in MODULEPATH>/secrun/<version>, for example
##   /opt/modulefiles/secrun/1.2.0
## The version is taken from the file's name. Edit root below to match your site.
##
## Site-wide environment definitions belong in /etc/secrun/envs.toml or /etc/secrun/envs.d/
## on every node; users keep theirs in ~/.config/secrun/envs.toml.

set root    /opt/secrun
set version [file tail [module-info name]]
set prefix  $root/$version

proc ModulesHelp { } {
    global version prefix
    puts stderr "secrun $version: run a command with secrets from a store in its environment only."
    puts stderr "  secrun secrets set API_TOKEN            # store a secret once"
    puts stderr "  secrun -e my_env -- ./solver in.dat     # run with my_env's secrets"
    puts stderr "  srun secrun -e my_env -- ./solver       # one secrun per task under SLURM"
    puts stderr "Installed in $prefix; see 'man secrun'."
}

module-whatis "secrun $version: run a command with secrets from a store in its environment only"

conflict secrun

prepend-path PATH    $prefix/bin
prepend-path MANPATH $prefix/share/man

# Shell completion: bash-completion and fish look in XDG_DATA_DIRS, zsh in FPATH. An unset
# XDG_DATA_DIRS means /usr/local/share:/usr/share, which must stay in the list.
if { ![info exists ::env(XDG_DATA_DIRS)] || $::env(XDG_DATA_DIRS) eq "" } {
    append-path XDG_DATA_DIRS /usr/local/share
    append-path XDG_DATA_DIRS /usr/share
}
prepend-path XDG_DATA_DIRS $prefix/share
prepend-path FPATH         $prefix/share/zsh/site-functions
