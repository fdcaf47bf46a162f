//go:build !lean

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/secrun/secrun/keystore"
	"golang.org/x/term"
)

// secretsCmd groups the commands that manage stored secrets.
type secretsCmd struct {
	Set       setCmd       `cmd:"" help:"Store a secret (prompts without echo on a terminal, else reads stdin)."`
	Get       getCmd       `cmd:"" help:"Print a secret's value on stdout."`
	List      listCmd      `cmd:"" aliases:"ls" help:"List stored keys; values stay hidden unless --values."`
	Delete    deleteCmd    `cmd:"" aliases:"rm" help:"Delete one secret."`
	DeleteAll deleteAllCmd `cmd:"" name:"delete-all" help:"Delete every secret in the store."`
	Move      moveCmd      `cmd:"" aliases:"mv" help:"Move secrets between the keyring and the file store."`
	Doctor    doctorCmd    `cmd:"" help:"Check the keyring against its index, and repair with --repair."`
	Import    importCmd    `cmd:"" help:"Import secrets from hpcFlow's secrets file or a flat JSON file."`
}

func (c *secretsCmd) Help() string {
	return `Values are read from stdin or a hidden prompt and printed only by 'get' and 'list --values'.

Examples:
  secrun secrets set API_TOKEN
  secrun secrets list
  secrun secrets get API_TOKEN
  secrun secrets delete API_TOKEN`
}

// mask stands for a hidden value; it is the same whatever the value's length.
const mask = "********"

// listWidth is how many characters of a value 'list --values' shows without --full.
const listWidth = 50

// scopeFlags are --project and --domain, which address a scoped secret.
type scopeFlags struct {
	Project string `placeholder:"P" help:"The project the secret is scoped to (a run in an environment with project = P prefers it)."`
	Domain  string `placeholder:"D" help:"The domain the secret is scoped to (a run in an environment with domain = D prefers it)."`
}

// scope validates the flags and returns the scope they name.
func (f *scopeFlags) scope() (keystore.Scope, error) {
	for what, name := range map[string]string{"--project": f.Project, "--domain": f.Domain} {
		if name != "" {
			if err := keystore.ValidateScope(what, name); err != nil {
				return keystore.Scope{}, err
			}
		}
	}
	return keystore.Scope{Project: f.Project, Domain: f.Domain}, nil
}

// address validates key and the flags, and returns the scope they name: the secret that set,
// get and delete act on.
func (f *scopeFlags) address(key string) (keystore.Scope, error) {
	if err := keystore.ValidateKey(key); err != nil {
		return keystore.Scope{}, err
	}
	return f.scope()
}

type setCmd struct {
	Key       string  `arg:"" help:"Key: 1-256 letters, digits, _ - . /"`
	Value     *string `arg:"" optional:"" help:"The value; '-' or nothing reads it from stdin or a hidden prompt. A value here can leak through shell history and ps."`
	Overwrite bool    `help:"Replace the value of an existing key."`
	FromFile  string  `name:"from-file" placeholder:"PATH" predictor:"files" help:"Store the bytes of a file, exactly (binary safe, no newline dropped)."`
	MaxSize   string  `name:"max-size" placeholder:"SIZE" default:"${maxsize}" env:"SECRUN_MAX_FILE_SIZE" help:"The largest --from-file accepted: bytes, or with K or M (1024-based)."`
	scopeFlags
}

func (c *setCmd) Help() string {
	return `Examples:
  secrun secrets set API_TOKEN                  # hidden prompt on a terminal
  printf %s "$TOKEN" | secrun secrets set API_TOKEN
  secrun secrets set --overwrite API_TOKEN < token.txt
  secrun secrets set --from-file cert.pem TLS_CERT
  secrun secrets set --project climate --domain production DB_PASS

From stdin the whole input is the value, less one final newline. --from-file keeps every byte.`
}

func (c *setCmd) Run(g *globals) error {
	sc, err := c.address(c.Key)
	if err != nil {
		return err
	}
	var value []byte
	kind := keystore.KindString
	switch {
	case c.FromFile != "":
		if c.Value != nil {
			return &usageError{msg: "give either a value or --from-file, not both", hint: "secrun secrets set --from-file PATH KEY"}
		}
		if value, err = readLimited(c.FromFile, c.MaxSize); err != nil {
			return err
		}
		kind = keystore.KindFile
	case c.Value != nil && *c.Value != "-":
		fmt.Fprintln(g.stderr, "secrun: warning: a value on the command line can leak through shell history and ps; prefer the prompt or stdin")
		value = []byte(*c.Value)
	case term.IsTerminal(int(os.Stdin.Fd())):
		v, err := readHidden(int(os.Stdin.Fd()), fmt.Sprintf("Value for %s (input hidden): ", c.Key), g.stderr)
		if errors.Is(err, io.EOF) {
			return errNoValue(c.Key)
		}
		if err != nil {
			return err
		}
		value = v
	default:
		v, err := io.ReadAll(io.LimitReader(os.Stdin, keystore.MaxValueSize+1))
		if err != nil {
			return fmt.Errorf("reading the value from stdin: %w", err)
		}
		if len(v) > keystore.MaxValueSize {
			return &usageError{msg: fmt.Sprintf("the value on stdin is over %d MiB; nothing stored", keystore.MaxValueSize>>20),
				hint: "a secret is a credential: keep large data in a file that a secret names"}
		}
		value = trimNewline(v)
	}
	if len(value) == 0 {
		return &usageError{msg: fmt.Sprintf("empty value for secret %q; nothing stored", c.Key),
			hint: "give the value on stdin or at the prompt"}
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	where, err := store.Put(keystore.Entry{Key: c.Key, Scope: sc, Kind: kind, Value: value}, c.Overwrite)
	if err != nil {
		if errors.Is(err, keystore.ErrExists) {
			return &existsError{key: c.Key, scope: sc, err: err}
		}
		return scopeRefused(err)
	}
	what := ""
	if kind == keystore.KindFile {
		what = fmt.Sprintf(" (%d bytes from %s)", len(value), c.FromFile)
	}
	fmt.Fprintf(g.stderr, "secrun: stored secret %q%s%s in the %s store\n", c.Key, inScope(sc), what, where)
	return nil
}

// defaultMaxSize is the default --max-size: 1000 KiB, so that a "1000 kB" file fits in
// either sense of kB (PanDA's limit).
const defaultMaxSize = "1000K"

// readLimited reads the file at path, refusing one larger than the limit that size gives.
func readLimited(path, size string) ([]byte, error) {
	if size == "" {
		size = defaultMaxSize // an empty SECRUN_MAX_FILE_SIZE
	}
	limit, err := parseSize(size)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("invalid --max-size %q: %v", size, err),
			hint: "give bytes, or a number with K or M (1024-based): --max-size 2M"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the value from %s: %w", path, err)
	}
	defer f.Close()
	tooBig := func(n string) error {
		return &usageError{msg: fmt.Sprintf("file %s is %s, larger than the limit of %d bytes (%s)", path, n, limit, size),
			hint: "raise the limit with --max-size (or SECRUN_MAX_FILE_SIZE), say --max-size 4M"}
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, tooBig(fmt.Sprintf("%d bytes", fi.Size()))
	}
	value, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the value from %s: %w", path, err)
	}
	if int64(len(value)) > limit {
		return nil, tooBig(fmt.Sprintf("more than %d bytes", limit))
	}
	return value, nil
}

// parseSize reads a size: a number of bytes, or a number followed by K, KB, KiB, M, MB or MiB
// (any case), all 1024-based.
func parseSize(s string) (int64, error) {
	num := strings.TrimRight(s, "KkMmBbIi")
	unit := strings.ToUpper(s[len(num):])
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 1 {
		return 0, errors.New("not a positive size")
	}
	mult := map[string]int64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20}[unit]
	if mult == 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("unknown unit or too large")
	}
	return n * mult, nil
}

// errNoValue ends a prompt at which the user typed ^D (end of input) on an empty line.
func errNoValue(key string) error {
	return &usageError{msg: fmt.Sprintf("no value entered for secret %q (end of input at the prompt); nothing stored", key),
		hint: "type the value and press Enter; ^C leaves the prompt"}
}

// codedError is an error of secrun's own with an exit status other than 125.
type codedError struct {
	msg  string
	code int
}

func (e *codedError) Error() string { return e.msg }
func (e *codedError) ExitCode() int { return e.code }

// trimNewline drops one final "\n" or "\r\n", which echo and editors add.
func trimNewline(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\n")) {
		b = b[:len(b)-1]
		b = bytes.TrimSuffix(b, []byte("\r"))
	}
	return b
}

// existsError is a write to a key that exists, without --overwrite.
type existsError struct {
	key   string
	scope keystore.Scope
	err   error
}

func (e *existsError) Error() string {
	return fmt.Sprintf("secret %q%s already exists; use --overwrite to replace it", e.key, inScope(e.scope))
}
func (e *existsError) Unwrap() error { return e.err }

type getCmd struct {
	Key string `arg:"" predictor:"keys" help:"The key to print."`
	scopeFlags
}

func (c *getCmd) Help() string {
	return "Prints the value and nothing else (a newline is added only when stdout is a terminal).\n" +
		"With --project or --domain it prints the secret stored in exactly that scope.\n\n" +
		"Example:\n  curl -H \"Authorization: Bearer $(secrun secrets get API_TOKEN)\" ..."
}

func (c *getCmd) Run(g *globals) error {
	sc, err := c.address(c.Key)
	if err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	e, err := store.Get(c.Key, sc)
	if err != nil {
		return withSuggestions(store, c.Key, sc, err)
	}
	v := e.Value
	if _, err := g.stdout.Write(v); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	if isTerminal(g.stdout) && !strings.HasSuffix(string(v), "\n") {
		fmt.Fprintln(g.stdout)
	}
	return nil
}

type listCmd struct {
	scopeFlags
	Values bool `help:"Show values, each cut to 50 characters unless --full."`
	Full   bool `help:"With --values, show whole values."`
	JSON   bool `name:"json" help:"Print a JSON array for scripts (with --values, values are never cut; a value that is not UTF-8 comes as value_base64)."`
}

func (c *listCmd) Help() string {
	return "Examples:\n  secrun secrets list\n  secrun secrets list --project climate    # only secrets scoped to project climate\n" +
		"  secrun secrets list --values --full\n  secrun secrets list --json | jq -r '.[].key'\n\n" +
		"SCOPE is project/domain (* for any; - for unscoped). SIZE is shown for file secrets only:\n" +
		"the length of a password is worth hiding. STORE is file or keyring; a VALUE of '! ...' marks\n" +
		"a secret whose keyring item and index disagree ('secrun secrets doctor' repairs them)."
}

// listed is one row of 'secrets list --json'.
type listed struct {
	Key     string    `json:"key"`
	Project string    `json:"project,omitempty"`
	Domain  string    `json:"domain,omitempty"`
	Kind    string    `json:"kind"`
	Size    int       `json:"size,omitempty"` // file secrets only
	Store   string    `json:"store"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Value   *string   `json:"value,omitempty"`        // with --values, when the value is UTF-8
	Base64  []byte    `json:"value_base64,omitempty"` // with --values, when it is not
	Problem string    `json:"problem,omitempty"`      // how the keyring and its index disagree
}

func (c *listCmd) Run(g *globals) error {
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	all, err := store.List()
	if err != nil {
		return err
	}
	var entries []keystore.Entry
	problems := 0
	for _, e := range all {
		if (c.Project == "" || e.Scope.Project == c.Project) && (c.Domain == "" || e.Scope.Domain == c.Domain) {
			entries = append(entries, e)
			if e.Problem != "" {
				problems++
			}
		}
	}
	if problems > 0 {
		defer fmt.Fprintf(g.stderr, "secrun: %d listed secrets are marked: 'secrun secrets doctor' reports and repairs them\n", problems)
	}
	if c.JSON {
		rows := make([]listed, 0, len(entries))
		for _, e := range entries {
			r := listed{Key: e.Key, Project: e.Scope.Project, Domain: e.Scope.Domain, Kind: e.Kind.String(),
				Store: e.Store, Created: e.Created, Updated: e.Updated, Problem: e.Problem}
			if e.Kind == keystore.KindFile && e.Value != nil {
				r.Size = len(e.Value)
			}
			switch v := string(e.Value); {
			case !c.Values || e.Problem != "":
			case utf8.ValidString(v):
				r.Value = &v
			default:
				r.Base64 = e.Value
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(entries) == 0 {
		fmt.Fprintf(g.stderr, "secrun: no secrets in %s\n", storeDesc(store.Describe(), true))
		return nil
	}
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tSCOPE\tKIND\tSIZE\tSTORE\tUPDATED\tVALUE")
	for _, e := range entries {
		v := mask
		if c.Values {
			v = shown(e.Value, c.Full)
		}
		updated := e.Updated.Local().Format("2006-01-02 15:04")
		if e.Updated.IsZero() {
			updated = "-"
		}
		size := "-"
		if e.Kind == keystore.KindFile && e.Value != nil {
			size = strconv.Itoa(len(e.Value))
		}
		if e.Problem != "" {
			v = "! " + e.Problem
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Key, e.Scope, e.Kind, size, e.Store, updated, v)
	}
	return w.Flush()
}

// shown renders a value for a table: cut to listWidth characters unless full, and with
// control characters escaped so that a value cannot drive the terminal.
func shown(v []byte, full bool) string {
	s := string(v)
	if !full && utf8.RuneCountInString(s) > listWidth {
		s = string([]rune(s)[:listWidth]) + "..."
	}
	q := strconv.Quote(s)
	if q[1:len(q)-1] == s {
		return s
	}
	return q
}

type deleteCmd struct {
	Key string `arg:"" predictor:"keys" help:"The key to delete."`
	scopeFlags
}

func (c *deleteCmd) Help() string {
	return "Deletes the key from every store that holds it (under auto, both). A missing key is an error\n" +
		"that suggests the closest existing keys.\n\n" +
		"Examples:\n  secrun secrets delete API_TOKEN\n  secrun secrets delete --project climate DB_PASS   # only the entry scoped to climate"
}

func (c *deleteCmd) Run(g *globals) error {
	sc, err := c.address(c.Key)
	if err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	from, err := store.Delete(c.Key, sc)
	if err != nil {
		return withSuggestions(store, c.Key, sc, err)
	}
	fmt.Fprintf(g.stderr, "secrun: deleted secret %q%s from the %s store\n", c.Key, inScope(sc), from)
	return nil
}

type deleteAllCmd struct {
	Yes bool `short:"y" help:"Do not ask for confirmation (needed when stdin is not a terminal)."`
}

func (c *deleteAllCmd) Help() string {
	return "Asks you to type yes on a terminal; elsewhere (a script, a pipe) it needs --yes.\n\n" +
		"Examples:\n  secrun secrets delete-all\n  secrun secrets delete-all --yes"
}

func (c *deleteAllCmd) Run(g *globals) error {
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	entries, err := store.List()
	if err != nil {
		return err
	}
	entries = slices.DeleteFunc(entries, func(e keystore.Entry) bool { return e.Problem == keystore.ProblemUnindexed })
	d := store.Describe() // before DeleteAll, which empties the keyring index that auto's words depend on
	if len(entries) == 0 {
		fmt.Fprintf(g.stderr, "secrun: no secrets in %s; nothing to delete\n", storeDesc(d, false))
		return nil
	}
	if !c.Yes {
		if !term.IsTerminal(int(os.Stdin.Fd())) {
			return &usageError{msg: fmt.Sprintf("refusing to delete all %d secrets without confirmation", len(entries)),
				hint: "add --yes to confirm when stdin is not a terminal"}
		}
		fmt.Fprintf(g.stderr, "Delete all %d secrets from %s? Type 'yes' to confirm: ",
			len(entries), storeDesc(d, true))
		answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return errors.New("not confirmed; nothing deleted")
		}
	}
	n, err := store.DeleteAll()
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "secrun: deleted %d secrets from %s\n", n, storeDesc(d, false))
	return nil
}

// withSuggestions words a failed lookup of key in scope sc for the command line: a not-found
// error gets the closest existing keys, a store's refusal of scopes the flags to change.
func withSuggestions(store keystore.Store, key string, sc keystore.Scope, err error) error {
	if !errors.Is(err, keystore.ErrNotFound) {
		return scopeRefused(err)
	}
	in := storeDesc(store.Describe(), false)
	if !sc.IsZero() {
		in = "the file store" // the only one that keeps scoped secrets
	}
	msg := fmt.Sprintf("secret %q%s does not exist in %s", key, inScope(sc), in)
	entries, lerr := store.List()
	if lerr != nil {
		return errors.New(msg)
	}
	var keys, scopes []string
	for _, e := range entries {
		if !slices.Contains(keys, e.Key) {
			keys = append(keys, e.Key)
		}
		if e.Key == key && !slices.Contains(scopes, e.Scope.String()) {
			scopes = append(scopes, e.Scope.String())
		}
	}
	hint := "'secrun secrets list' shows the stored keys"
	if len(scopes) > 0 {
		hint = fmt.Sprintf("%q is stored in scope %s (- is unscoped; give --project and --domain to match)", key, strings.Join(scopes, ", "))
	} else if close := closest(key, keys, 3); len(close) > 0 {
		hint = "did you mean " + quoteList(close) + "?"
	}
	return &usageError{msg: msg, hint: hint}
}

func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
