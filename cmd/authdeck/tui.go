package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/authdeck/authdeck/ui"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

// runTUI opens the TUI on the workspace. Start-up reads the catalog only:
// no store call and no network call happen before the first frame.
func runTUI(a *App, cmd *cobra.Command) error {
	v, err := a.Vault()
	if err != nil {
		return err
	}
	cat, err := v.Load()
	if err != nil {
		return err
	}
	env := a.EnvFlag
	if env == "" {
		env = a.Getenv("AUTHDECK_ENV")
	}
	if env != "" {
		if _, ok := cat.Env(env); !ok {
			return &vault.NotFoundError{Kind: "environment", Name: env}
		}
	}
	home := a.Getenv("AUTHDECK_HOME")
	if home == "" && v.Backend() != vault.BackendMemory {
		home, _ = local.DefaultHome()
	}
	logger, closeLog, err := tuiLogger(a.Getenv("AUTHDECK_LOG"))
	if err != nil {
		return err
	}
	defer closeLog()
	restore := redirectDefaultLogs(logger)
	defer restore()
	opts := a.tuiOptions(v, cat, env, home, logger)
	// The file store asks for its passphrase, and a team workspace for
	// the passphrase of the key that opens its shared values, when a value
	// is first needed; by then the TUI owns the terminal: they ask in a
	// dialog. Once the program has stopped, the dialogs answer "no
	// passphrase".
	opts.Passphrase = ui.NewPassphraseAsker()
	a.tuiKeyPassphrase = opts.Passphrase.AskKey
	if v.Backend() == vault.BackendFile && a.Getenv("AUTHDECK_PASSPHRASE") == "" {
		a.tuiPassphrase, a.tuiHome = opts.Passphrase.Ask, fileVaultHome(a, home)
	}
	return runProgram(cmd.Context(), a, opts)
}

// fileVaultHome is the directory the file vault is kept in: the TUI's home,
// or the default one.
func fileVaultHome(a *App, home string) string {
	if home != "" {
		return home
	}
	h, _ := local.DefaultHome()
	return h
}

// tuiOptions sets the TUI up over v: its engines are configured as the
// other commands' are (engineConfig), with the same browser opener.
func (a *App) tuiOptions(v *vault.Vault, cat *vault.Catalog, env, home string, logger *slog.Logger) ui.Options {
	wsName, wsPath := a.workspaceLabel()
	return ui.Options{
		Workspace:     wsName,
		WorkspacePath: wsPath,
		Vault:         v,
		Engines:       a.engineConfig(v),
		Catalog:       cat,
		Env:           env,
		Home:          home,
		Getenv:        a.Getenv,
		Log:           logger,
		Dark:          true,
		OpenFileVault: func(pass string) (*vault.Vault, error) {
			wf, err := testScryptWorkFactor(a.Getenv)
			if err != nil {
				return nil, err
			}
			return a.inTeamWorkspace(local.Open(local.Options{Home: home, Backend: vault.BackendFile, FileWorkFactor: wf, Passphrase: func() (string, error) { return pass, nil }}))
		},
	}
}

// tuiFPS caps the frame rate. Bubble Tea's renderer wakes up once per frame
// even when nothing changed, and those wake-ups are the idle CPU: 60 fps
// measured 0.9–1.1 %, 30 fps 0.67 %, 15 fps 0.2 % (budget 0.5 %). 15 frames
// a second still shows a keystroke within 67 ms and keeps the 10 fps spinner
// smooth; the first frame does not wait for the renderer (paintFirstFrame).
const tuiFPS = 15

// runProgram runs the TUI until the user quits or ctx ends.
func runProgram(ctx context.Context, a *App, opts ui.Options) error {
	if a.IO.InFd < 0 || !a.IO.OutTTY {
		return exitWith(exitOther, "the TUI needs a terminal; use the subcommands (authdeck --help) in scripts")
	}
	m := ui.New(opts)
	painted := paintFirstFrame(a.IO.Out, m)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(a.IO.In), tea.WithOutput(a.IO.Out), tea.WithoutSignalHandler(), tea.WithFPS(tuiFPS))
	stopped := make(chan struct{})
	if opts.Passphrase != nil {
		opts.Passphrase.Attach(p.Send, stopped)
	}
	_, err := p.Run()
	close(stopped)
	// Copies not yet cleared are cleared now, however the program ended.
	m.ClearClipboard(a.IO.Out)
	if err != nil && ctx.Err() == nil {
		if painted {
			fmt.Fprint(a.IO.Out, ansi.ResetModeAltScreenSaveCursor+ansi.ShowCursor)
		}
		return fmt.Errorf("terminal interface: %w", err)
	}
	return nil
}

// paintFirstFrame draws the model's first frame on the alternate screen
// before the program starts: Bubble Tea only writes frames on its frame
// ticker, so at a low frame rate the first one would wait a whole tick. The
// renderer's first frame then repaints the same content in place. It reports
// whether it painted (the caller leaves the alternate screen on failure).
func paintFirstFrame(out io.Writer, m *ui.Model) bool {
	f, ok := out.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return false
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	var b strings.Builder
	b.WriteString(ansi.SetModeAltScreenSaveCursor + ansi.HideCursor + ansi.CursorHomePosition + ansi.EraseDisplay(2))
	b.WriteString(strings.ReplaceAll(m.View().Content, "\n", "\r\n"))
	// Colours are downsampled to what the terminal supports, as the renderer does.
	_, _ = colorprofile.NewWriter(out, os.Environ()).Write([]byte(b.String()))
	return true
}

// tuiLogger logs to the file named by AUTHDECK_LOG, or nowhere: the TUI owns
// the terminal, and no secret value is ever logged.
func tuiLogger(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the log file (AUTHDECK_LOG): %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { _ = f.Close() }, nil
}

// redirectDefaultLogs sends the slog and log default loggers (used by
// libraries) to logger while the TUI runs, and returns the undo.
func redirectDefaultLogs(logger *slog.Logger) func() {
	prevSlog := slog.Default()
	prevOut, prevFlags := log.Writer(), log.Flags()
	slog.SetDefault(logger)
	log.SetOutput(slogWriter{logger})
	log.SetFlags(0)
	return func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	}
}

// slogWriter turns log package lines into slog records.
type slogWriter struct{ l *slog.Logger }

// Write logs one line.
func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Info(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
