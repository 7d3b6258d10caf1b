package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// Version returns the build's version: the ldflags value, else the module version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// IOStreams are the process's standard streams, replaceable in tests.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InFd is the file descriptor of In when it is a terminal, else -1.
	InFd int
	// OutTTY says whether Out is a terminal.
	OutTTY bool
}

// SystemIO returns the real standard streams.
func SystemIO() IOStreams {
	io := IOStreams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, InFd: -1}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		io.InFd = int(os.Stdin.Fd())
	}
	io.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	return io
}

// App carries what every command needs: streams, environment, the vault.
type App struct {
	IO     IOStreams
	Getenv func(string) string
	Now    func() time.Time
	// OpenVault opens the workspace; replaced in tests to inject a vault.
	OpenVault func(*App) (*vault.Vault, error)
	// Opener opens authorization URLs; nil means the system opener
	// honouring $BROWSER. Tests put a simulated browser here.
	Opener func(ctx context.Context, url string) error

	// EnvFlag is the --env value (empty: $AUTHDECK_ENV, then the active environment).
	EnvFlag string
	// WorkspaceFlag is the --workspace value (empty: $AUTHDECK_WORKSPACE,
	// then the team workspace found from Dir, else the personal one).
	WorkspaceFlag string
	// Dir is the working directory a team workspace is found from; empty
	// means the process's.
	Dir string

	v    *vault.Vault
	team teamState
	// tuiPassphrase, set while the TUI owns the terminal, asks for the file
	// vault's passphrase in a dialog instead of on stderr; tuiHome is the
	// home whose vault it unlocks (to tell a new vault from an existing one).
	tuiPassphrase func(isNew bool) (string, error)
	tuiHome       string
	// tuiKeyPassphrase, set while the TUI owns the terminal, asks for the
	// passphrase of a team member's SSH key in a dialog.
	tuiKeyPassphrase func(path string) ([]byte, error)
	// readsStore says the command reads values from the store (a token, a
	// request with a credential), so opening the vault starts the store's
	// connection at once, while the catalog is read.
	readsStore bool
}

// Main runs the CLI and returns the process exit code (see the exit-code table in the README).
func Main(args []string, streams IOStreams, getenv func(string) string) int {
	app := &App{IO: streams, Getenv: getenv, Now: time.Now, OpenVault: openVaultFromEnv}
	return app.Run(args)
}

// Run executes args and returns the exit code, printing errors on stderr.
func (a *App) Run(args []string) int {
	root := a.newRootCmdFor(args)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(a.IO.Err, "authdeck: "+termsafe.Text(ee.msg))
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.IO.Err, "authdeck: cancelled")
		return exitAborted
	}
	msg := err.Error()
	var re *vault.ResolveError
	if errors.As(err, &re) && re.Hint != "" {
		msg += " — " + re.Hint
	}
	// Errors quote input and servers' words: they reach the terminal escaped (S-40).
	fmt.Fprintln(a.IO.Err, "authdeck: "+termsafe.Text(msg))
	return exitCode(err)
}

// exitError ends the command with a given code (after printing msg, if any).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitWith returns an error that makes the CLI exit with code after printing msg.
func exitWith(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// Vault opens the workspace once per process.
func (a *App) Vault() (*vault.Vault, error) {
	if a.v != nil {
		return a.v, nil
	}
	v, err := a.OpenVault(a)
	if err != nil {
		return nil, err
	}
	a.v = v
	if a.readsStore {
		// The keychain connects (D-Bus: authentication, a session) in
		// the background while recovery and the command read the catalog.
		v.Warm()
	}
	a.recover(v)
	return v, nil
}

// storeVault is Vault for a command that goes on to read values from the
// store: the store starts connecting as soon as the vault is open.
func (a *App) storeVault() (*vault.Vault, error) {
	a.readsStore = true
	return a.Vault()
}

// recoverTimeout bounds settling what an interrupted command left.
const recoverTimeout = 30 * time.Second

// recover settles the changes an interrupted authdeck process left in
// flight (S-38) and says so on stderr; when it cannot yet (a locked
// store), the command goes on and a later one settles them.
func (a *App) recover(v *vault.Vault) {
	ctx, cancel := context.WithTimeout(context.Background(), recoverTimeout)
	defer cancel()
	r, err := v.Recover(ctx)
	switch {
	case err != nil:
		fmt.Fprintf(a.IO.Err, "authdeck: an interrupted change could not be settled yet (%v); a later command will try again, or run 'authdeck doctor --repair'\n", err)
	case !r.Empty():
		fmt.Fprintf(a.IO.Err, "authdeck: settled what an interrupted authdeck left: %s\n", r)
	}
}

// Env resolves the environment to use: --env, $AUTHDECK_ENV, the active one.
func (a *App) Env(c *vault.Catalog) (string, error) {
	return vault.ResolveEnv(c, a.EnvFlag, a.Getenv("AUTHDECK_ENV"))
}

func openVaultFromEnv(a *App) (*vault.Vault, error) {
	wf, err := testScryptWorkFactor(a.Getenv)
	if err != nil {
		return nil, err
	}
	return a.inTeamWorkspace(local.Open(local.Options{
		Home:           a.Getenv("AUTHDECK_HOME"),
		Backend:        a.Getenv("AUTHDECK_VAULT"),
		Passphrase:     a.passphrase,
		FileWorkFactor: wf,
		FileAgent:      a.unlockAgent(),
	}))
}

// passphrase returns the file vault's passphrase from $AUTHDECK_PASSPHRASE or a prompt.
func (a *App) passphrase() (string, error) {
	if p := a.Getenv("AUTHDECK_PASSPHRASE"); p != "" {
		return p, nil
	}
	if ask := a.tuiPassphrase; ask != nil {
		return ask(newFileVault(a.tuiHome))
	}
	p, err := a.promptSecret("Vault passphrase: ")
	if err != nil {
		return "", fmt.Errorf("%w: the file vault needs a passphrase: set AUTHDECK_PASSPHRASE or run in a terminal", vault.ErrMissingInput)
	}
	return p, nil
}

// newFileVault reports whether home holds no file vault yet (neither the
// vault nor its identity), so the passphrase about to be asked for is a new
// one, to be typed twice.
func newFileVault(home string) bool {
	for _, name := range []string{vault.FileVaultName, vault.FileIdentityName} {
		if _, err := os.Lstat(filepath.Join(home, name)); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	return true
}

// promptSecret asks for a value on the terminal without echo.
func (a *App) promptSecret(label string) (string, error) {
	if a.IO.InFd < 0 {
		return "", fmt.Errorf("%w: no terminal to prompt for %s", vault.ErrMissingInput, strings.TrimSuffix(strings.TrimSpace(label), ":"))
	}
	if restore, err := echoOff(a.IO.InFd); err == nil {
		defer restore()
	}
	fmt.Fprint(a.IO.Err, label)
	b, err := term.ReadPassword(a.IO.InFd)
	fmt.Fprintln(a.IO.Err)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// readStdinSecret reads a secret from standard input, dropping one trailing newline.
func (a *App) readStdinSecret(what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(a.IO.In, 1<<20+1))
	if err != nil {
		return "", fmt.Errorf("reading %s from stdin: %w", what, err)
	}
	if len(b) > 1<<20 {
		return "", fmt.Errorf("%s on stdin is larger than 1 MiB", what)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("%w: %s: stdin was empty", vault.ErrMissingInput, what)
	}
	return s, nil
}
