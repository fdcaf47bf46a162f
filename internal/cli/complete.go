//go:build !lean

package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/secrun/secrun/config"
	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
)

// completionCmd prints a shell's completion script.
type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

func (c *completionCmd) Help() string {
	return `The script is small: at each Tab it asks secrun itself (a hidden command) what fits, which
walks the same command model as the parser, so the script never goes stale when secrun is upgraded.
-e completes environment names, 'secrets get|delete|move' complete keys (never values),
and the word after -- completes as a command (or an executable label of the environment).

Examples:
  eval "$(secrun completion bash)"                          # in ~/.bashrc
  secrun completion zsh > "${fpath[1]}/_secrun"             # then restart zsh
  secrun completion fish > ~/.config/fish/completions/secrun.fish

The deb and rpm packages install all three.`
}

func (c *completionCmd) Run(g *globals) error {
	_, err := fmt.Fprint(g.stdout, completionScript(c.Shell))
	if err != nil {
		return fmt.Errorf("cannot write the %s completion script: %w", c.Shell, err)
	}
	return nil
}

// completeCmd is what the completion scripts call at each Tab: 'secrun __complete -- WORDS...',
// where WORDS are the words after "secrun" up to and including the one being completed.
// It prints a directive line, then the candidates, one per line, as "word" or
// "word<TAB>description". It never prints an error: a completion that cannot be made is empty.
type completeCmd struct {
	Words []string `arg:"" optional:"" passthrough:""`
}

func (c *completeCmd) Run(ctx *kong.Context, g *globals) error {
	words := c.Words
	if len(words) > 0 && words[0] == "--" {
		words = words[1:]
	}
	res := newCompleter(ctx.Model.Node).complete(words)
	var b strings.Builder
	b.WriteString(res.directive)
	b.WriteByte('\n')
	for _, it := range res.items {
		b.WriteString(it)
		b.WriteByte('\n')
	}
	io.WriteString(g.stdout, b.String())
	return nil
}

// Directives tell the script what to add to the candidates.
const (
	dirWords   = "words"   // the candidates only
	dirFiles   = "files"   // file names
	dirCommand = "command" // command names on PATH, and the candidates (executable labels)
	dirArgs    = "args"    // "args N": an argument of the command N words before this one
)

// completion is the answer for one Tab.
type completion struct {
	directive string
	items     []string
}

// completer computes completions from the kong model. envNames, labels and keys look things
// up; tests replace them.
type completer struct {
	app    *kong.Node
	run    *kong.Node
	envs   func(files []string) []string
	labels func(files []string, env string) []string
	keys   func(store string) []string
}

func newCompleter(app *kong.Node) *completer {
	c := &completer{app: app, envs: envNames, labels: envLabels, keys: storedKeys}
	for _, n := range app.Children {
		if n.Name == "run" {
			c.run = n
		}
	}
	return c
}

// seen is what the words before the current one said that completions depend on.
type seen struct {
	envFiles []string // --envs
	env      string   // -e
	store    string   // --store
}

func (s *seen) record(f *kong.Flag, v string) {
	switch f.Name {
	case "envs":
		s.envFiles = append(s.envFiles, kong.ExpandPath(v))
	case "env":
		s.env = v
	case "store":
		s.store = v
	}
}

func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// flags returns the flags n accepts: its own and its ancestors'. At the top, run's flags count
// too, since 'secrun -e E -- cmd' is a run without the word.
func (c *completer) flags(n *kong.Node) []*kong.Flag {
	var out []*kong.Flag
	for p := n; p != nil; p = p.Parent {
		out = append(out, p.Flags...)
	}
	if n == c.app && c.run != nil {
		out = append(out, c.run.Flags...)
	}
	return out
}

func (c *completer) complete(words []string) completion {
	cur := ""
	if len(words) > 0 {
		cur, words = words[len(words)-1], words[:len(words)-1]
	}
	node, pos := c.app, 0
	var st seen
	var pending *kong.Flag
	cmdAt, dashdash := -1, false
	enter := func(f *kong.Flag) {
		if node == c.app && c.run != nil && slices.Contains(c.run.Flags, f) {
			node = c.run
		}
	}
walk:
	for i, w := range words {
		switch {
		case pending != nil:
			st.record(pending, w)
			pending = nil
		case dashdash:
			pos++
		case w == "--":
			if node == c.app || node == c.run {
				node, cmdAt = c.run, i+1
				break walk
			}
			dashdash = true
		case strings.HasPrefix(w, "--"):
			name, v, inline := strings.Cut(w[2:], "=")
			if f := c.flag(node, func(f *kong.Flag) bool { return f.Name == name }); f != nil {
				enter(f)
				if takesValue(f) {
					if inline {
						st.record(f, v)
					} else {
						pending = f
					}
				}
			}
		case strings.HasPrefix(w, "-") && len(w) > 1:
			if f := c.flag(node, func(f *kong.Flag) bool { return f.Short == rune(w[1]) }); f != nil {
				enter(f)
				if takesValue(f) {
					if len(w) > 2 {
						st.record(f, w[2:])
					} else {
						pending = f
					}
				}
			}
		default:
			if child := findChild(node, w); child != nil {
				node, pos = child, 0
				continue
			}
			if (node == c.app || node == c.run) && c.run != nil {
				node, cmdAt = c.run, i
				break walk
			}
			pos++
		}
	}
	switch {
	case cmdAt == len(words):
		return completion{dirCommand, c.filter(c.labels(st.envFiles, st.env), cur)}
	case cmdAt >= 0:
		return completion{dirArgs + " " + strconv.Itoa(len(words)-cmdAt), nil}
	case pending != nil:
		return c.values(pending.Value, &st, "", cur)
	case !dashdash && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		name, v, _ := strings.Cut(cur[2:], "=")
		if f := c.flag(node, func(f *kong.Flag) bool { return f.Name == name }); f != nil && takesValue(f) {
			return c.values(f.Value, &st, "--"+name+"=", v)
		}
		return completion{dirWords, nil}
	case !dashdash && strings.HasPrefix(cur, "-"):
		var items []string
		for _, f := range c.flags(node) {
			if !f.Hidden {
				items = append(items, "--"+f.Name+"\t"+summary(f.Help))
			}
		}
		return completion{dirWords, c.filter(items, cur)}
	}
	var items []string
	for _, ch := range node.Children {
		if !ch.Hidden {
			items = append(items, ch.Name+"\t"+summary(ch.Help))
		}
	}
	if len(items) > 0 {
		return completion{dirWords, c.filter(items, cur)}
	}
	if len(node.Positional) == 0 {
		return completion{dirWords, nil}
	}
	arg := node.Positional[min(pos, len(node.Positional)-1)]
	if pos >= len(node.Positional) && !arg.IsCumulative() {
		return completion{dirWords, nil}
	}
	return c.values(arg, &st, "", cur)
}

// flag finds a flag that node accepts.
func (c *completer) flag(node *kong.Node, match func(*kong.Flag) bool) *kong.Flag {
	for _, f := range c.flags(node) {
		if match(f) {
			return f
		}
	}
	return nil
}

// findChild finds the subcommand of n named (or aliased) w.
func findChild(n *kong.Node, w string) *kong.Node {
	for _, ch := range n.Children {
		if ch.Name == w || slices.Contains(ch.Aliases, w) {
			return ch
		}
	}
	return nil
}

// values completes the value of a flag or argument: the predictor tag says what it is
// (envs, keys, stores, modes), else its enum, else a path type means files.
func (c *completer) values(v *kong.Value, st *seen, prefix, cur string) completion {
	var items []string
	switch v.Tag.Get("predictor") {
	case "envs":
		items = c.envs(st.envFiles)
	case "labels":
		items = c.labels(st.envFiles, st.env)
	case "keys":
		items = c.keys(st.store)
	case "files":
		return completion{dirFiles, nil}
	case "stores":
		items = config.Stores
	case "modes":
		items = envdef.ParallelModes
	default:
		switch {
		case v.Enum != "":
			items = v.EnumSlice()
		case v.Tag.Type == "path" || v.Tag.Type == "existingfile" || v.Tag.Type == "existingdir":
			return completion{dirFiles, nil}
		}
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = prefix + it
	}
	return completion{dirWords, c.filter(out, prefix+cur)}
}

// filter keeps the items (each "word" or "word<TAB>description") whose word starts with cur,
// sorted, once each.
func (c *completer) filter(items []string, cur string) []string {
	var out []string
	for _, it := range items {
		if strings.HasPrefix(it, cur) && !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	slices.Sort(out)
	return out
}

// summary is the first sentence of a help text, for a candidate's description.
func summary(help string) string {
	if i := strings.Index(help, ". "); i >= 0 {
		help = help[:i]
	}
	help = strings.TrimSuffix(strings.Join(strings.Fields(help), " "), ".")
	if len(help) > 70 {
		help = help[:67] + "..."
	}
	return help
}

// completionSet loads the definitions a run would see, with the --envs files typed so far.
func completionSet(files []string) *envdef.Set {
	g := &globals{Envs: files, dirs: dirs.FromEnv()}
	c, err := g.config()
	if err != nil {
		return nil
	}
	explicit, _ := g.envFiles() // only the lean build's appSources fails
	set, err := envdef.Load(envdef.DefaultFiles(g.dirs), explicit, c.Trust)
	if err != nil {
		return nil
	}
	return set
}

// envNames lists the defined environments' names; nothing when the definitions do not load.
func envNames(files []string) []string {
	set := completionSet(files)
	if set == nil {
		return nil
	}
	var names []string
	for _, e := range set.Envs() {
		names = append(names, e.Name)
	}
	return names
}

// envLabels lists the executable labels of environment env.
func envLabels(files []string, env string) []string {
	set := completionSet(files)
	if set == nil || env == "" {
		return nil
	}
	e, err := set.Lookup(env)
	if err != nil {
		return nil
	}
	var labels []string
	for _, x := range e.Executables {
		labels = append(labels, x.Label+"\texecutable of "+env)
	}
	return labels
}

// storedKeys lists the keys of the store that --store, SECRUN_STORE or config.toml selects.
// It reads the file store and the keyring's index, never a value and never the keyring itself,
// so a Tab never waits on D-Bus or an unlock prompt.
func storedKeys(store string) []string {
	g := &globals{Store: store, stderr: os.Stderr, dirs: dirs.FromEnv()}
	if store == "" {
		g.Store = os.Getenv("SECRUN_STORE")
	}
	kind, err := g.storeKind()
	if err != nil {
		return nil
	}
	dir, err := keystore.DataDir(g.dirs)
	if err != nil {
		return nil
	}
	var keys []string
	if kind != "keyring" {
		if entries, err := keystore.NewFile(dir).List(); err == nil {
			for _, e := range entries {
				keys = append(keys, e.Key)
			}
		}
	}
	if kind != "file" {
		if k, err := keystore.NewKeyring(dir).Keys(); err == nil {
			keys = append(keys, k...)
		}
	}
	return keys
}
