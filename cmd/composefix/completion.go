package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionCommand prints a shell completion script. bash and zsh ask the
// binary itself for candidates (urfave/cli's --generate-bash-completion,
// enabled by EnableBashCompletion); fish gets a static script generated
// from the flag and command definitions.
func completionCommand(out io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash:  source <(composefix completion bash)   (e.g. in ~/.bashrc)\n" +
			"zsh:   composefix completion zsh > \"${fpath[1]}/_composefix\"\n" +
			"fish:  composefix completion fish > ~/.config/fish/completions/composefix.fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion takes one shell: bash, zsh or fish")
			}
			script, err := completionScript(c.App, c.Args().First())
			if err != nil {
				return err
			}
			_, err = io.WriteString(out, script)
			return err
		},
	}
}

// completionScript returns the completion script for shell.
func completionScript(app *cli.App, shell string) (string, error) {
	name := app.Name
	switch shell {
	case "bash":
		return strings.ReplaceAll(bashCompletion, "PROG", name), nil
	case "zsh":
		return strings.ReplaceAll(zshCompletion, "PROG", name), nil
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return "", fmt.Errorf("generating the fish completion: %w", err)
		}
		return s, nil
	}
	return "", usagef("unknown shell %q; expected bash, zsh or fish", shell)
}

// bashCompletion is urfave/cli's autocomplete/bash_autocomplete with the
// program name filled in (PROG).
const bashCompletion = `# bash completion for PROG; load with: source <(PROG completion bash)
_PROG_cli_init_completion() {
  COMPREPLY=()
  _get_comp_words_by_ref "$@" cur prev words cword
}

_PROG_bash_autocomplete() {
  if [[ "${COMP_WORDS[0]}" != "source" ]]; then
    local cur opts base words
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    if declare -F _init_completion >/dev/null 2>&1; then
      _init_completion -n "=:" || return
    else
      _PROG_cli_init_completion -n "=:" || return
    fi
    words=("${words[@]:0:$cword}")
    if [[ "$cur" == "-"* ]]; then
      requestComp="${words[*]} ${cur} --generate-bash-completion"
    else
      requestComp="${words[*]} --generate-bash-completion"
    fi
    opts=$(eval "${requestComp}" 2>/dev/null)
    COMPREPLY=($(compgen -W "${opts}" -- ${cur}))
    return 0
  fi
}

complete -o bashdefault -o default -o nospace -F _PROG_bash_autocomplete PROG
`

// zshCompletion is urfave/cli's autocomplete/zsh_autocomplete with the
// program name filled in (PROG).
const zshCompletion = `#compdef PROG

_PROG_zsh_autocomplete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi

  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}

compdef _PROG_zsh_autocomplete PROG
`
