package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// ---- colour ----

// colorOn says whether stdout gets colour: only on a terminal, never when
// NO_COLOR is set to anything (no-color.org) or TERM=dumb.
func (a *App) colorOn() bool {
	return a.IO.OutTTY && a.Getenv("NO_COLOR") == "" && a.Getenv("TERM") != "dumb"
}

// SGR codes used by the CLI.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
)

// paint wraps s in an SGR colour when colour is on.
func (a *App) paint(code, s string) string {
	if s == "" || code == "" || !a.colorOn() {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// ---- tables ----

// cell is a table cell: plain text, and the colour to paint it in.
type cell struct {
	text  string
	color string
}

// table aligns columns by display width and paints cells after padding, so
// colour codes never disturb the alignment.
type table struct {
	header []string
	rows   [][]cell
}

// add appends a row; cell text is escaped for the terminal here, as it is
// mostly names and values that came from outside (S-40).
func (t *table) add(cells ...cell) {
	for i := range cells {
		cells[i].text = termsafe.Line(cells[i].text)
	}
	t.rows = append(t.rows, cells)
}

func (t *table) render(a *App, w io.Writer) {
	widths := make([]int, len(t.header))
	measure := func(i int, s string) {
		if i >= len(widths) {
			widths = append(widths, 0)
		}
		widths[i] = max(widths[i], runewidth.StringWidth(s))
	}
	for i, h := range t.header {
		measure(i, h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			measure(i, c.text)
		}
	}
	line := func(cells []cell) {
		var b strings.Builder
		last := len(cells) - 1
		for last > 0 && cells[last].text == "" {
			last--
		}
		for i := 0; i <= last; i++ {
			c := cells[i]
			text := c.text
			if i < last {
				text += strings.Repeat(" ", widths[i]-runewidth.StringWidth(c.text)+2)
				b.WriteString(a.paint(c.color, c.text) + text[len(c.text):])
				continue
			}
			b.WriteString(a.paint(c.color, text))
		}
		fmt.Fprintln(w, b.String())
	}
	if len(t.header) > 0 {
		hs := make([]cell, len(t.header))
		for i, h := range t.header {
			hs[i] = cell{text: h, color: sgrBold}
		}
		line(hs)
	}
	for _, r := range t.rows {
		line(r)
	}
}

// kv prints aligned "key: value" lines; values may carry colour.
type kv struct {
	rows [][2]cell
}

// add appends a row unless value is empty; key and value are escaped for
// the terminal (an introspection's claim names come from the server; S-40).
func (k *kv) add(key, value string) {
	k.addc(key, cell{text: value})
}

func (k *kv) addc(key string, value cell) {
	if value.text != "" {
		value.text = termsafe.Line(value.text)
		k.rows = append(k.rows, [2]cell{{text: termsafe.Line(key)}, value})
	}
}

func (k *kv) render(a *App, w io.Writer) {
	width := 0
	for _, r := range k.rows {
		width = max(width, runewidth.StringWidth(r[0].text))
	}
	for _, r := range k.rows {
		pad := strings.Repeat(" ", width-runewidth.StringWidth(r[0].text))
		fmt.Fprintf(w, "%s%s  %s\n", a.paint(sgrDim, r[0].text+":"), pad, a.paint(r[1].color, r[1].text))
	}
}

// writeJSON prints v as indented JSON with a trailing newline. DEL, C1
// controls and bidirectional overrides, which encoding/json leaves raw, are
// written as \u escapes: the same document, safe on a terminal (S-40).
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(b.Bytes()))
	return err
}

// ---- dates and expiry ----

// fmtTime shows a date alone when it is midnight UTC, else RFC 3339.
func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 {
		return u.Format("2006-01-02")
	}
	return u.Format(time.RFC3339)
}

// expiryCell shows an expiration with its state: "2027-01-31", "2026-12-01 (expires soon)".
func (a *App) expiryCell(exp *time.Time) cell {
	if exp == nil || exp.IsZero() {
		return cell{}
	}
	st := vault.ExpiryOf(exp, a.Now())
	c := cell{text: fmtTime(exp)}
	switch st {
	case vault.Expired:
		c.text += " (expired)"
		c.color = sgrRed
	case vault.ExpiringSoon:
		c.text += " (expires soon)"
		c.color = sgrYellow
	case vault.NoExpiry, vault.Valid:
		// the date alone
	}
	return c
}

// expiryState is the JSON form of an expiry state: "", "valid", "expires soon", "expired".
func (a *App) expiryState(exp *time.Time) string {
	switch st := vault.ExpiryOf(exp, a.Now()); st {
	case vault.NoExpiry:
		return ""
	case vault.Valid:
		return "valid"
	default:
		return st.String()
	}
}

// parseExpiresFlag parses an --expires value; "never" or "" clears it.
func parseExpiresFlag(s string) (*time.Time, error) {
	if s == "" || strings.EqualFold(s, "never") {
		return nil, nil
	}
	t, err := vault.ParseExpiry(s)
	if err != nil {
		return nil, exitWith(exitOther, "--expires: %v", err)
	}
	return &t, nil
}

// ---- secret values ----

// valueField is one field of a stored value, with whether it is secret.
type valueField struct {
	vault.ValueField
	// Never marks values that are never printed, even with --reveal (S-26).
	Never bool
}

// secretValueFields lists the non-empty fields of a secret value by type;
// private keys are never printed.
func secretValueFields(t vault.SecretType, v vault.SecretValue) []valueField {
	fields := v.Fields(t)
	out := make([]valueField, len(fields))
	for i, f := range fields {
		out[i] = valueField{ValueField: f, Never: f.Name == "privateKey"}
	}
	return out
}

// shown returns how a field is printed: plain when not secret or revealed,
// else masked (S-30). Private keys are never printed (S-26).
func (f valueField) shown(reveal bool) string {
	switch {
	case f.Never:
		return "(private key, never printed; identified by its key id)"
	case !f.Secret:
		return f.Value
	}
	return maskUnless(reveal, f.Value)
}

// maskUnless returns a secret as it is when the user asked to reveal it,
// else masked (S-30).
func maskUnless(reveal bool, value string) string {
	if reveal {
		return value
	}
	return mask.Value("", value).Text()
}

// ---- input ----

// errNoTerminal marks input that needed a terminal which is not there.
var errNoTerminal = errors.New("no terminal")

// isTerminal says whether stdin is a terminal we may prompt on.
func (a *App) isTerminal() bool { return a.IO.InFd >= 0 }

// secretInput reads a secret from stdin (fromStdin) or a no-echo prompt on a
// terminal; without either it fails with exit 3 naming the flag to use.
func (a *App) secretInput(what, flag string, fromStdin bool) (string, error) {
	if fromStdin {
		s, err := a.readStdinSecret(what)
		if err != nil {
			return "", exitWith(exitCode(err), "%v", err)
		}
		return s, nil
	}
	if !a.isTerminal() {
		return "", exitWith(exitMissingInput, "%s is needed: pass it on stdin with %s (there is no terminal to prompt on; secrets are never taken from the command line)", what, flag)
	}
	s, err := a.promptSecret(what + ": ")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", exitWith(exitMissingInput, "%s: nothing was entered", what)
	}
	return s, nil
}

// readLine reads one line from stdin (a terminal or a pipe), without its
// newline. It reads byte by byte so nothing after the line is consumed.
func (a *App) readLine() (string, error) {
	var b strings.Builder
	var c [1]byte
	// Bounded even for a reader that keeps returning nothing.
	for reads := 0; reads < 1<<17 && b.Len() < 1<<16; reads++ {
		n, err := a.IO.In.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				break
			}
			b.WriteByte(c[0])
			continue
		}
		if err == io.EOF {
			if b.Len() == 0 {
				return "", io.EOF
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(b.String(), "\r"), nil
}

// confirm asks a yes/no question on the terminal; without a terminal it
// returns errNoTerminal so the caller can name the flag that skips it.
func (a *App) confirm(question string) (bool, error) {
	if !a.isTerminal() {
		return false, errNoTerminal
	}
	fmt.Fprintf(a.IO.Err, "%s [y/N] ", question)
	line, err := a.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// readFileArg reads a file named on the command line ("-" is stdin), at most max bytes.
func (a *App) readFileArg(flag, path string, max int64) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = a.IO.In
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, exitWith(exitMissingInput, "%s: %v", flag, unwrapPathError(err))
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, exitWith(exitOther, "%s: reading %s: %v", flag, path, err)
	}
	if int64(len(b)) > max {
		return nil, exitWith(exitOther, "%s: %s is larger than %d bytes", flag, path, max)
	}
	return b, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", filepath.Clean(pe.Path), pe.Err)
	}
	return err
}

// ---- workspace ----

// catalog opens the vault and loads its catalog.
func (a *App) catalog() (*vault.Vault, *vault.Catalog, error) {
	v, err := a.Vault()
	if err != nil {
		return nil, nil, err
	}
	c, err := v.Load()
	if err != nil {
		return nil, nil, err
	}
	return v, c, nil
}

// workspace opens the vault and resolves the environment to work in.
func (a *App) workspace() (*vault.Vault, *vault.Catalog, string, error) {
	v, c, err := a.catalog()
	if err != nil {
		return nil, nil, "", err
	}
	env, err := a.Env(c)
	if err != nil {
		return nil, nil, "", err
	}
	return v, c, env, nil
}

// ---- errors naming flags ----

// flagError adds the command-line flag to a validation error about a field,
// keeping the error's kind (and so its exit code).
type flagError struct {
	err  error
	flag string
}

// Error appends the flag to the validation message.
func (e *flagError) Error() string { return e.err.Error() + " (" + e.flag + ")" }

// Unwrap keeps the validation error visible to errors.Is and errors.As.
func (e *flagError) Unwrap() error { return e.err }

// withFlag names the flag behind a model field in a validation error.
func withFlag(err error, flags map[string]string) error {
	var ve *vault.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	field := ve.Field
	if field == "" {
		// URL problems carry the field at the start of the message.
		field, _, _ = strings.Cut(ve.Msg, ":")
	}
	if f, ok := flags[field]; ok {
		return &flagError{err: err, flag: f}
	}
	for prefix, f := range flags {
		if strings.HasSuffix(prefix, ".") && strings.HasPrefix(field, prefix) {
			return &flagError{err: err, flag: f}
		}
	}
	return err
}

// home is the workspace directory: $AUTHDECK_HOME, else the default; empty
// when there is no user config directory to put it in.
func (a *App) home() string {
	if h := a.Getenv("AUTHDECK_HOME"); h != "" {
		return h
	}
	h, err := local.DefaultHome()
	if err != nil {
		return ""
	}
	return h
}

// ---- completion (catalog only) ----

// completionEnv is the catalog and the active environment name for
// completing a name, or ok false when either cannot be read (completion
// then offers nothing).
func (a *App) completionEnv() (c *vault.Catalog, env string, ok bool) {
	if c = a.completionCatalog(); c == nil {
		return nil, "", false
	}
	env, err := a.Env(c)
	return c, env, err == nil
}

// completionCatalog loads the catalog without touching the secret store, so
// completing a name never unlocks a keychain or asks for a passphrase.
func (a *App) completionCatalog() *vault.Catalog {
	var cs vault.CatalogStore
	switch a.Getenv("AUTHDECK_VAULT") {
	case vault.BackendMemory:
		v, err := a.Vault()
		if err != nil {
			return nil
		}
		cs = v.Catalogs()
	default:
		if ws, err := a.teamWorkspace(); err == nil && ws != nil {
			cs = ws
			break
		}
		home := a.home()
		if home == "" {
			return nil
		}
		fc, err := vault.OpenFileCatalog(home)
		if err != nil {
			return nil
		}
		cs = fc
	}
	c, err := cs.Load()
	if err != nil {
		return nil
	}
	return c
}

type completeKind int

const (
	completeEnvs completeKind = iota
	completeClients
	completeSecrets
)

// completeNames offers names of one kind for the first positional argument.
func (a *App) completeNames(kind completeKind) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c := a.completionCatalog()
		if c == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		switch kind {
		case completeEnvs:
			for _, e := range c.Environments {
				names = append(names, e.Name)
			}
		case completeClients, completeSecrets:
			env, err := a.Env(c)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			if kind == completeClients {
				for _, x := range c.ClientsIn(env) {
					names = append(names, x.Name)
				}
			} else {
				for _, x := range c.SecretsIn(env) {
					names = append(names, x.Name)
				}
			}
		}
		var out []cobra.Completion
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFlagValues offers fixed values for a flag.
func completeFlagValues(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
