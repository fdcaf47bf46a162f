# testenv/tools.sh: the programs the completion, man page and contrib tests run for real:
# bash-completion, zsh and fish (completion scripts), man-db and groff (man -l), tcl (the
# modulefile), python3 (the Spack recipe). Sourced by test.sh; TestTools fails under CI=true
# when one is missing.
if ! need_pkgs bash-completion zsh fish man-db groff-base tcl python3; then
  unavailable "completion/man/contrib tools" "cannot install bash-completion zsh fish man-db groff-base tcl python3"
fi
