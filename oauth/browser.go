package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/mdp/qrterminal/v3"

	"github.com/authdeck/authdeck/vault"
)

// SystemOpener returns an Opener that starts the system browser: the
// commands in $BROWSER (colon-separated, "%s" replaced by the URL, as in the
// sensible-browser convention), else the OS opener (xdg-open, open,
// rundll32). The browser is a separate process, never an embedded view
// (S-01). getenv is os.Getenv outside tests.
func SystemOpener(getenv func(string) string) Opener {
	if getenv == nil {
		getenv = os.Getenv
	}
	return func(ctx context.Context, target string) error {
		if err := checkOpenURL(target); err != nil {
			return err
		}
		var cmds [][]string
		if b := getenv("BROWSER"); b != "" {
			for _, c := range strings.Split(b, string(os.PathListSeparator)) {
				if args := browserArgs(c, target); len(args) > 0 {
					cmds = append(cmds, args)
				}
			}
		} else {
			cmds = append(cmds, osOpener(target))
		}
		var errs []error
		for _, args := range cmds {
			if err := startBrowser(ctx, args); err != nil {
				errs = append(errs, err)
				continue
			}
			return nil
		}
		if len(errs) == 0 {
			return errors.New("no browser command configured")
		}
		return fmt.Errorf("could not start a browser: %w", errors.Join(errs...))
	}
}

// browserFailWindow is how long an opener is watched after it starts: one
// that exits with an error within it (no display, no browser installed) did
// not open anything. One still running then, or one that exited cleanly, is
// taken as opened: browsers run for as long as the user keeps them.
const browserFailWindow = time.Second

// startBrowser runs one opener command. Its environment is authdeck's
// without the vault passphrase (a browser passes its environment on to
// everything it starts, S-33), and its exit status within browserFailWindow
// decides whether it opened anything.
func startBrowser(ctx context.Context, args []string) error {
	cmd := exec.Command(args[0], args[1:]...) //nolint:gosec // G204: the user's $BROWSER or the OS opener, given a URL checkOpenURL accepted
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	cmd.Env = vault.ChildEnv(os.Environ())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	// Reap the opener without tying its life to ctx: a browser started by
	// it must outlive the flow.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(browserFailWindow)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}

// browserArgs splits one $BROWSER entry into argv, substituting "%s" (and
// appending the URL when there is no "%s"). No shell is involved.
func browserArgs(entry, target string) []string {
	fields := strings.Fields(entry)
	if len(fields) == 0 {
		return nil
	}
	substituted := false
	for i, f := range fields {
		if strings.Contains(f, "%s") {
			fields[i] = strings.ReplaceAll(f, "%s", target)
			substituted = true
		}
	}
	if !substituted {
		fields = append(fields, target)
	}
	return fields
}

func osOpener(target string) []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"open", target}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", target}
	}
	return []string{"xdg-open", target}
}

// checkOpenURL refuses anything but an absolute http(s) URL, so a hostile
// verification URI cannot make the opener run a file or another scheme.
func checkOpenURL(target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("refusing to open %q: not an http(s) URL", sanitize(target, 200))
	}
	if strings.ContainsAny(target, " \t\r\n\"'`") {
		return fmt.Errorf("refusing to open a URL with spaces or quotes")
	}
	return nil
}

// maxQRText is the longest text put in a QR code; longer URLs get none.
const maxQRText = 1800

// QRCode renders text as a QR code of Unicode half blocks (two rows per
// line), for a terminal or a TUI pane. It returns "" when text is too long.
func QRCode(text string) (qr string) {
	if text == "" || len(text) > maxQRText {
		return ""
	}
	defer func() {
		if recover() != nil {
			qr = ""
		}
	}()
	var b bytes.Buffer
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level:          qrterminal.L,
		Writer:         &b,
		HalfBlocks:     true,
		BlackChar:      qrterminal.BLACK_BLACK,
		WhiteBlackChar: qrterminal.WHITE_BLACK,
		WhiteChar:      qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE,
		QuietZone:      2,
	})
	return b.String()
}

// open opens target with the engine's opener (the system one by default).
func (e *Engine) open(ctx context.Context, target string) error {
	if err := checkOpenURL(target); err != nil {
		return err
	}
	op := e.Opener
	if op == nil {
		op = SystemOpener(os.Getenv)
	}
	return op(ctx, target)
}
