//go:build !lean

package cli

// completionScript returns the script 'secrun completion SHELL' prints. Each passes the words
// typed so far to 'secrun __complete --' and turns its answer (a directive line, then the
// candidates) into the shell's own completions. Errors of secrun are dropped: a Tab never
// prints anything. (A switch, not a map: nothing here may cost the run path an init.)
func completionScript(shell string) string {
	switch shell {
	case "bash":
		return bashCompletion
	case "zsh":
		return zshCompletion
	case "fish":
		return fishCompletion
	}
	return ""
}

const bashCompletion = `# bash completion for secrun, from 'secrun completion bash'.
# Load it with  eval "$(secrun completion bash)"  in ~/.bashrc, or install it as
# /usr/share/bash-completion/completions/secrun.
_secrun() {
    local i w last words=() dashdash= typed=${COMP_WORDS[COMP_CWORD]}
    # bash splits --flag=value at "="; join such words again (before --) for secrun.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -z $dashdash && ${#words[@]} -gt 0 ]]; then
            last=${words[${#words[@]}-1]}
            if [[ $last == --* && ( ( $w == = && $last != *=* ) || $last == *= ) ]]; then
                words[${#words[@]}-1]=$last$w
                continue
            fi
        fi
        [[ $w == -- ]] && dashdash=1
        words+=("$w")
    done
    local cur=${words[${#words[@]}-1]} prog=secrun
    [[ ${COMP_WORDS[0]} == */* && -x ${COMP_WORDS[0]} ]] && prog=${COMP_WORDS[0]}
    local out
    out=$("$prog" __complete -- "${words[@]}" 2>/dev/null) || return 0
    local directive=${out%%$'\n'*} items=()
    [[ $out == *$'\n'* ]] && mapfile -t items <<<"${out#*$'\n'}"
    items=("${items[@]%%$'\t'*}")
    # The candidates are whole words ("--store=file"); bash replaces only what follows the
    # last "=", so cut what was typed before it.
    local prefix=${cur%"$typed"} val=$typed pre=
    if [[ $typed == = ]]; then val= pre==; fi
    COMPREPLY=()
    case $directive in
    files)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$val")
        COMPREPLY=("${COMPREPLY[@]/#/$pre}")
        ;;
    command)
        mapfile -t COMPREPLY < <(compgen -c -- "$val" | sort -u)
        COMPREPLY=("${items[@]}" "${COMPREPLY[@]}")
        ;;
    args\ *)
        if declare -F _command_offset >/dev/null; then
            _command_offset $((COMP_CWORD - ${directive#args }))
        else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$typed")
        fi
        ;;
    *)
        for w in "${items[@]}"; do
            [[ -n $w ]] && COMPREPLY+=("${w#"$prefix"}")
        done
        ;;
    esac
    return 0
}
complete -F _secrun secrun
`

const zshCompletion = `#compdef secrun
# zsh completion for secrun, from 'secrun completion zsh'.
# Put it in a directory of $fpath as _secrun, or load it with  source <(secrun completion zsh)
# after compinit.
_secrun() {
  local out directive
  local -a lines items described
  out=$(secrun __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("${(@f)out}")
  directive=${lines[1]}
  items=("${(@)lines[2,-1]}")
  case $directive in
    files)
      _files
      ;;
    command)
      (( ${#items} )) && compadd -- "${(@)items%%$'\t'*}"
      _command_names -e
      ;;
    args\ *)
      local n=${directive#args }
      shift $(( CURRENT - n - 1 )) words
      (( CURRENT = n + 1 ))
      _normal
      ;;
    *)
      local it word
      for it in "${(@)items}"; do
        [[ -z $it ]] && continue
        word=${it%%$'\t'*}
        if [[ $it == *$'\t'* ]]; then
          described+=("${word//:/\\:}:${it#*$'\t'}")
        else
          described+=("${word//:/\\:}")
        fi
      done
      (( ${#described} )) && _describe -t values secrun described
      ;;
  esac
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
  _secrun "$@"
else
  compdef _secrun secrun
fi
`

const fishCompletion = `# fish completion for secrun, from 'secrun completion fish'.
# Install it as ~/.config/fish/completions/secrun.fish, or load it with
# secrun completion fish | source
function __secrun_complete
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l cur (commandline -ct)
    set -l out (secrun __complete -- $toks "$cur" 2>/dev/null)
    or return
    set -l directive $out[1]
    set -e out[1]
    switch $directive
        case files
            __fish_complete_path "$cur"
        case command
            printf '%s\n' $out
            __fish_complete_command "$cur"
        case 'args *'
            # complete the command's own words as if it were typed alone
            set -l n (string replace 'args ' '' -- $directive)
            set -l first (math (count $toks) + 1 - $n)
            complete -C (string join ' ' -- (string escape -- $toks[$first..-1]) "$cur")
        case '*'
            printf '%s\n' $out
    end
end
complete -c secrun -f -a '(__secrun_complete)'
`
