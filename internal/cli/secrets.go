package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
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
}

// mask stands for a hidden value; it is the same whatever the value's length.
const mask = "********"

// listWidth is how many characters of a value 'list --values' shows without --full.
const listWidth = 50

type setCmd struct {
	Key       string  `arg:"" help:"Key: 1-256 letters, digits, _ - . /"`
	Value     *string `arg:"" optional:"" help:"The value; '-' or nothing reads it from stdin or a hidden prompt. A value here can leak through shell history and ps."`
	Overwrite bool    `help:"Replace the value of an existing key."`
}

func (c *setCmd) Help() string {
	return `Examples:
  secrun secrets set API_TOKEN                  # hidden prompt on a terminal
  printf %s "$TOKEN" | secrun secrets set API_TOKEN
  secrun secrets set --overwrite API_TOKEN < token.txt

From stdin the whole input is the value, less one final newline.`
}

func (c *setCmd) Run(g *globals) error {
	if err := keystore.ValidateKey(c.Key); err != nil {
		return err
	}
	var value []byte
	switch {
	case c.Value != nil && *c.Value != "-":
		fmt.Fprintln(g.stderr, "secrun: warning: a value on the command line can leak through shell history and ps; prefer the prompt or stdin")
		value = []byte(*c.Value)
	case term.IsTerminal(int(os.Stdin.Fd())):
		fmt.Fprintf(g.stderr, "Value for %s (input hidden): ", c.Key)
		v, err := readHidden(int(os.Stdin.Fd()))
		fmt.Fprintln(g.stderr)
		if err != nil {
			return err
		}
		value = v
	default:
		v, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("reading the value from stdin: %w", err)
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
	defer closeStore(store)
	if err := store.Set(c.Key, value, c.Overwrite); err != nil {
		if errors.Is(err, keystore.ErrExists) {
			return &existsError{key: c.Key, err: err}
		}
		return err
	}
	fmt.Fprintf(g.stderr, "secrun: stored secret %q in the %s store\n", c.Key, sourceOf(store, c.Key))
	return nil
}

// readHidden reads a line from the terminal fd without echo. Ctrl-C or SIGTERM at the prompt
// restores the terminal (ReadPassword alone would leave echo off) and ends with status 130.
func readHidden(fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, fmt.Errorf("reading the value from the terminal: %w", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	type result struct {
		value []byte
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := term.ReadPassword(fd)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("reading the value from the terminal: %w", r.err)
		}
		return r.value, nil
	case <-sigs:
		term.Restore(fd, state)
		return nil, errInterrupted
	}
}

// errInterrupted ends a prompt that the user interrupted, with the shell's status for SIGINT.
var errInterrupted = &codedError{msg: "interrupted; nothing stored", code: 130}

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

type getCmd struct {
	Key string `arg:"" help:"The key to print."`
}

func (c *getCmd) Help() string {
	return "Prints the value and nothing else (a newline is added only when stdout is a terminal).\n\nExample:\n  curl -H \"Authorization: Bearer $(secrun secrets get API_TOKEN)\" ..."
}

func (c *getCmd) Run(g *globals) error {
	if err := keystore.ValidateKey(c.Key); err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer closeStore(store)
	v, err := store.Get(c.Key)
	if err != nil {
		return withSuggestions(store, c.Key, err)
	}
	if _, err := os.Stdout.Write(v); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	if term.IsTerminal(int(os.Stdout.Fd())) && !strings.HasSuffix(string(v), "\n") {
		fmt.Println()
	}
	return nil
}

type listCmd struct {
	Values bool `help:"Show values, each cut to 50 characters unless --full."`
	Full   bool `help:"With --values, show whole values."`
	JSON   bool `name:"json" help:"Print a JSON array for scripts (with --values, values are never cut; a value that is not UTF-8 comes as value_base64)."`
}

func (c *listCmd) Help() string {
	return "Examples:\n  secrun secrets list\n  secrun secrets list --values --full\n  secrun secrets list --json | jq -r '.[].key'"
}

// listed is one row of 'secrets list --json'.
type listed struct {
	Key     string    `json:"key"`
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
	defer closeStore(store)
	entries, err := store.List()
	if err != nil {
		return err
	}
	problems := 0
	for _, e := range entries {
		if e.Problem != "" {
			problems++
		}
	}
	if problems > 0 {
		defer fmt.Fprintf(g.stderr, "secrun: %d listed secrets are marked: 'secrun secrets doctor' reports and repairs them\n", problems)
	}
	if c.JSON {
		rows := make([]listed, 0, len(entries))
		for _, e := range entries {
			r := listed{Key: e.Key, Store: e.Store, Created: e.Created, Updated: e.Updated, Problem: e.Problem}
			switch v := string(e.Value); {
			case !c.Values || e.Problem != "":
			case utf8.ValidString(v):
				r.Value = &v
			default:
				r.Base64 = e.Value
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(entries) == 0 {
		fmt.Fprintf(g.stderr, "secrun: no secrets in %s\n", storeDesc(store))
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tSTORE\tUPDATED\tVALUE")
	for _, e := range entries {
		v := mask
		if c.Values {
			v = shown(e.Value, c.Full)
		}
		updated := e.Updated.Local().Format("2006-01-02 15:04")
		if e.Updated.IsZero() {
			updated = "-"
		}
		if e.Problem != "" {
			v = "! " + e.Problem
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.Key, e.Store, updated, v)
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
	Key string `arg:"" help:"The key to delete."`
}

func (c *deleteCmd) Run(g *globals) error {
	if err := keystore.ValidateKey(c.Key); err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer closeStore(store)
	if err := store.Delete(c.Key); err != nil {
		return withSuggestions(store, c.Key, err)
	}
	fmt.Fprintf(g.stderr, "secrun: deleted secret %q from the %s store\n", c.Key, sourceOf(store, c.Key))
	return nil
}

type deleteAllCmd struct {
	Yes bool `short:"y" help:"Do not ask for confirmation (needed when stdin is not a terminal)."`
}

func (c *deleteAllCmd) Run(g *globals) error {
	store, err := g.store()
	if err != nil {
		return err
	}
	defer closeStore(store)
	entries, err := store.List()
	if err != nil {
		return err
	}
	entries = slices.DeleteFunc(entries, func(e keystore.Entry) bool { return e.Problem == keystore.ProblemUnindexed })
	if len(entries) == 0 {
		fmt.Fprintf(g.stderr, "secrun: no secrets in %s; nothing to delete\n", storeWords(store))
		return nil
	}
	if !c.Yes {
		if !term.IsTerminal(int(os.Stdin.Fd())) {
			return &usageError{msg: fmt.Sprintf("refusing to delete all %d secrets without confirmation", len(entries)),
				hint: "add --yes to confirm when stdin is not a terminal"}
		}
		fmt.Fprintf(g.stderr, "Delete all %d secrets from %s? Type 'yes' to confirm: ",
			len(entries), storeDesc(store))
		answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return errors.New("not confirmed; nothing deleted")
		}
	}
	n, err := store.DeleteAll()
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "secrun: deleted %d secrets from %s\n", n, storeWords(store))
	return nil
}

// withSuggestions adds the closest existing keys to a not-found error.
func withSuggestions(store keystore.Store, key string, err error) error {
	if !errors.Is(err, keystore.ErrNotFound) {
		return err
	}
	msg := fmt.Sprintf("secret %q does not exist in %s", key, storeWords(store))
	entries, lerr := store.List()
	if lerr != nil {
		return errors.New(msg)
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	hint := "'secrun secrets list' shows the stored keys"
	if close := closest(key, keys, 3); len(close) > 0 {
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
