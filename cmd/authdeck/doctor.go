package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
)

// doctorCheck is one line of the doctor's report.
type doctorCheck struct {
	Name string `json:"name"`
	// Status is ok, warn, fail or info.
	Status string `json:"status"`
	Detail string `json:"detail"`
	// Hint says what to do when the status is warn or fail.
	Hint string `json:"hint,omitempty"`
}

// Doctor statuses.
const (
	statusOK   = "ok"
	statusWarn = "warn"
	statusFail = "fail"
	statusInfo = "info"
)

// doctorTimeout bounds the whole vault round trip (the keychain backend has
// its own 3 s per call inside it).
const doctorTimeout = 20 * time.Second

// doctorUnlockTimeout bounds unlocking the file vault before the round trip:
// the passphrase prompt waits for a person.
const doctorUnlockTimeout = 5 * time.Minute

// doctorOptions are the inputs of `doctor`.
type doctorOptions struct {
	App                           *App
	IO                            IOStreams
	AsJSON, Repair, PruneKeychain bool
}

func newDoctorCmd(a *App) *cobra.Command {
	opts := &doctorOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the vault backend, catalog, clipboard and browser opener",
		Long: `Check what authdeck needs on this machine:
  vault      the selected backend ($AUTHDECK_VAULT) and a real round trip on a
             throwaway key (set, get, delete — cleaned up), with timings
  catalog    where it is, its permissions (0700 directory, 0600 file)
  team       in a team workspace: its folder, whether your key is in its team,
             the values you still have to set, credentials found in the folder
  clipboard  xclip, xsel, wl-copy, pbcopy or clip.exe; OSC 52 in SSH/tmux
  browser    $BROWSER, xdg-open, open
  ssh        whether this is a remote session
  agreement  whether catalog and store agree: changes an interrupted authdeck
             left in flight, values no item owns, items whose value is gone
With --repair, the changes left in flight are finished or rolled back, values
no item owns are removed, items whose value is gone are removed (secrets) or
lose it (a client's credentials, a secret variable), and token metadata is
read again from the values. The keychain is shared by every authdeck home of
the user, so values there that this home does not own are removed only with
--prune-keychain. In a team workspace, changes an interrupted authdeck left
are recorded in your home (never in the folder) and settled the same way;
an item whose value you have not set is listed under "values", never removed,
and values of the workspace that no item of this folder owns (another
branch's or checkout's) are removed only with --prune-keychain, whatever the
vault.
Exits 8 when the vault does not work, with what to do about it.`,
		Example: "  authdeck doctor\n  AUTHDECK_VAULT=file authdeck doctor --json\n  authdeck doctor --repair",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.Repair, "repair", false, "make catalog and store agree again (see above)")
	cmd.Flags().BoolVar(&opts.PruneKeychain, "prune-keychain", false, "with --repair: also remove keychain values no item of this home owns (in a team workspace: values of the workspace no item of this folder owns)")
	return cmd
}

// runDoctor checks the workspace (repairing it first with --repair), prints
// the report, and fails with exit code 8 when the vault does not work.
func runDoctor(ctx context.Context, opts *doctorOptions) error {
	a := opts.App
	if opts.PruneKeychain && !opts.Repair {
		return exitWith(exitOther, "--prune-keychain goes with --repair")
	}
	var repaired []doctorCheck
	if opts.Repair {
		rc, err := a.repairVault(ctx, opts.PruneKeychain)
		if err != nil {
			return err
		}
		repaired = append(repaired, rc)
	}
	checks, vaultOK := a.doctorChecks(ctx)
	checks = append(repaired, checks...)
	if opts.AsJSON {
		if err := writeJSON(opts.IO.Out, struct {
			OK     bool          `json:"ok"`
			Checks []doctorCheck `json:"checks"`
		}{vaultOK, checks}); err != nil {
			return err
		}
	} else {
		a.renderDoctor(checks)
	}
	if !vaultOK {
		return a.vaultFailure(checks)
	}
	return nil
}

// vaultFailure is the error of a doctor run whose vault check failed.
func (a *App) vaultFailure(checks []doctorCheck) error {
	for _, c := range checks {
		if c.Status == statusFail && c.Name == "vault" {
			return exitWith(exitVault, "the %s vault does not work: %s", a.backendName(), c.Hint)
		}
	}
	return exitWith(exitVault, "the vault does not work")
}

// repairVault runs the repair and says what it did.
func (a *App) repairVault(ctx context.Context, pruneKeychain bool) (doctorCheck, error) {
	v, err := a.Vault()
	if err != nil {
		return doctorCheck{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	r, left, err := v.Repair(ctx, pruneKeychain)
	if err != nil {
		return doctorCheck{}, fmt.Errorf("repairing the vault: %w", err)
	}
	c := doctorCheck{Name: "repair", Status: statusOK, Detail: "nothing to repair"}
	if !r.Empty() {
		c.Detail = r.String()
	}
	if !left.Consistent() {
		c.Status = statusWarn
		c.Detail += "; still out of step: " + describeConsistency(left)
	}
	return c, nil
}

func (a *App) backendName() string {
	if b := a.Getenv("AUTHDECK_VAULT"); b != "" {
		return b
	}
	return vault.BackendKeychain
}

// doctorChecks runs every check; ok says whether the vault works.
func (a *App) doctorChecks(ctx context.Context) ([]doctorCheck, bool) {
	var checks []doctorCheck
	backend := a.backendName()
	checks = append(checks, doctorCheck{Name: "backend", Status: statusInfo, Detail: backend + " (" + vault.BackendLabel(backend) + "; choose with AUTHDECK_VAULT=keychain|file|memory)"})
	vc := a.checkVault(ctx, backend)
	checks = append(checks, vc)
	if v, err := a.Vault(); err == nil {
		if ws, _ := a.teamWorkspace(); ws != nil {
			checks = append(checks, a.checkTeamWorkspace(ctx, v, ws, vc.Status != statusFail)...)
		} else {
			checks = append(checks, a.checkCatalog(v)...)
		}
		if vc.Status != statusFail {
			checks = append(checks, a.checkAgreement(ctx, v))
		}
	}
	checks = append(checks, a.checkClipboard(), a.checkBrowser(), a.checkSSH())
	return checks, vc.Status != statusFail
}

// vaultHint says what to do when the backend fails.
func vaultHint(backend string, err error) string {
	switch {
	case backend == vault.BackendFile && errors.Is(err, vault.ErrTimeout):
		return "the file vault did not answer in time: the machine may be busy, or another authdeck process holds the vault's lock; run doctor again (a timeout says nothing about the passphrase)"
	case backend == vault.BackendKeychain && errors.Is(err, vault.ErrTimeout):
		return "the keychain did not answer in time: answer a keyring prompt if one is waiting, then run doctor again"
	case backend == vault.BackendFile && errors.Is(err, vault.ErrLocked):
		return "the passphrase does not open the file vault: check AUTHDECK_PASSPHRASE (or type it at the prompt)"
	case backend == vault.BackendFile && errors.Is(err, vault.ErrMissingInput):
		return "the file vault needs its passphrase: set AUTHDECK_PASSPHRASE or run in a terminal"
	case backend == vault.BackendFile:
		return "check that AUTHDECK_HOME is writable and the passphrase is right"
	case backend == vault.BackendKeychain && errors.Is(err, vault.ErrLocked):
		return "unlock the keychain (log in to the desktop session), or use the encrypted file vault: AUTHDECK_VAULT=file"
	case backend == vault.BackendKeychain:
		return "no working keychain here (headless, SSH, WSL?): use the encrypted file vault with AUTHDECK_VAULT=file (passphrase from AUTHDECK_PASSPHRASE or a prompt)"
	}
	return "set AUTHDECK_VAULT to keychain or file"
}

// checkVault makes a real round trip on a throwaway key: set, get, compare,
// delete, and a get that must miss; the key is removed on every path.
func (a *App) checkVault(ctx context.Context, backend string) doctorCheck {
	c := doctorCheck{Name: "vault"}
	v, err := a.Vault()
	if err != nil {
		c.Status, c.Detail, c.Hint = statusFail, "cannot open: "+err.Error(), vaultHint(backend, err)
		return c
	}
	store := v.Store()
	key := "doctor/" + vault.NewID()
	if v.Backend() == vault.BackendFile {
		// Unlocking asks for the passphrase and derives its key (slow by
		// design, slower on a busy machine): it is not part of the timed
		// round trip. The probe key does not exist; a miss is success.
		uctx, ucancel := context.WithTimeout(ctx, doctorUnlockTimeout)
		_, err := store.Get(uctx, key)
		ucancel()
		if err != nil && !errors.Is(err, vault.ErrNotFound) {
			c.Status, c.Detail, c.Hint = statusFail, fmt.Sprintf("%s: unlock failed: %v", backend, err), vaultHint(backend, err)
			return c
		}
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	value := make([]byte, 32)
	_, _ = rand.Read(value)
	var steps []string
	step := func(name string, f func() error) error {
		t0 := time.Now()
		err := f()
		steps = append(steps, fmt.Sprintf("%s %s", name, roundDuration(time.Since(t0))))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	fail := func(err error) doctorCheck {
		c.Status, c.Detail, c.Hint = statusFail, fmt.Sprintf("%s round trip failed: %v", backend, err), vaultHint(backend, err)
		return c
	}
	if err := step("set", func() error { return store.Set(ctx, key, value) }); err != nil {
		return fail(err)
	}
	cleaned := false
	defer func() {
		if !cleaned {
			cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = store.Delete(cctx, key)
			ccancel()
		}
	}()
	var got []byte
	if err := step("get", func() (err error) { got, err = store.Get(ctx, key); return err }); err != nil {
		return fail(err)
	}
	if !bytes.Equal(got, value) {
		return fail(fmt.Errorf("get: %w (read back a different value)", vault.ErrCorrupt))
	}
	if err := step("delete", func() error { return store.Delete(ctx, key) }); err != nil {
		return fail(err)
	}
	cleaned = true
	if _, err := store.Get(ctx, key); !errors.Is(err, vault.ErrNotFound) {
		return fail(fmt.Errorf("the deleted test key is still readable (%v)", err))
	}
	c.Status, c.Detail = statusOK, fmt.Sprintf("%s works: %s", vault.BackendLabel(v.Backend()), strings.Join(steps, ", "))
	if v.Backend() == vault.BackendMemory {
		c.Status, c.Hint = statusWarn, "the memory vault forgets everything when authdeck exits; use keychain or file to keep secrets"
	}
	return c
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func (a *App) checkCatalog(v *vault.Vault) []doctorCheck {
	loc := v.Catalogs().Location()
	c := doctorCheck{Name: "catalog", Status: statusOK, Detail: loc}
	cat, err := v.Load()
	if err != nil {
		c.Status, c.Detail, c.Hint = statusFail, err.Error(), "the catalog is left untouched; restore it from a backup or move it away"
		return []doctorCheck{c}
	}
	if filepath.IsAbs(loc) {
		var problems []string
		if fi, err := os.Stat(filepath.Dir(loc)); err == nil && fi.Mode().Perm() != 0o700 {
			problems = append(problems, fmt.Sprintf("directory is %04o, want 0700", fi.Mode().Perm()))
		}
		fi, err := os.Stat(loc)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.Detail += " (not written yet; created on the first change)"
		case err != nil:
			problems = append(problems, err.Error())
		case fi.Mode().Perm() != 0o600:
			problems = append(problems, fmt.Sprintf("file is %04o, want 0600", fi.Mode().Perm()))
		default:
			c.Detail += " (0600 in a 0700 directory)"
		}
		if len(problems) > 0 {
			c.Status = statusWarn
			c.Detail += " — " + strings.Join(problems, "; ")
			c.Hint = "chmod 700 " + filepath.Dir(loc) + " && chmod 600 " + loc
		}
	}
	env := doctorCheck{Name: "workspace", Status: statusInfo}
	active, err := a.Env(cat)
	if err != nil {
		env.Status, env.Detail, env.Hint = statusWarn, err.Error(), "pick an environment with 'authdeck env use NAME'"
	} else {
		env.Detail = fmt.Sprintf("%d environments (active: %s), %d auth clients, %d secrets, %d requests",
			len(cat.Environments), active, len(cat.Clients), len(cat.Secrets), len(cat.Requests))
	}
	return []doctorCheck{c, env}
}

// checkAgreement compares catalog and store (S-38).
func (a *App) checkAgreement(ctx context.Context, v *vault.Vault) doctorCheck {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	c := doctorCheck{Name: "agreement"}
	got, err := v.Check(ctx)
	switch {
	case err != nil:
		c.Status, c.Detail, c.Hint = statusWarn, "cannot compare catalog and store: "+err.Error(), "run 'authdeck doctor' again when the vault is reachable"
	case got.Consistent():
		c.Status, c.Detail = statusOK, "catalog and store agree"
		if !got.Listed {
			c.Detail += " (this keychain cannot list its items: only the catalog's items were checked)"
		}
	case got.Shared && got.Pending == 0 && len(got.Unmatched) == 0 && got.Stale == 0:
		c.Status = statusInfo
		c.Detail = fmt.Sprintf("the keychain holds %d authdeck values no item of this home owns (another AUTHDECK_HOME's, or left by an interrupted change)", len(got.Orphans))
		c.Hint = "when no other authdeck home uses this keychain: authdeck doctor --repair --prune-keychain"
		if ws, _ := a.teamWorkspace(); ws != nil {
			n := len(got.Orphans)
			c.Detail = fmt.Sprintf("your %s holds %d value%s of this workspace that no item of this folder owns (another branch's or checkout's, or left by hand)", vault.BackendLabel(v.Backend()), n, plural(n))
			c.Hint = "when no other branch or checkout of this workspace needs them: authdeck doctor --repair --prune-keychain"
		}
	default:
		c.Status, c.Detail, c.Hint = statusWarn, describeConsistency(got), "authdeck doctor --repair"
	}
	return c
}

// describeConsistency says what is out of step, in one line (names and
// keys, never a value).
func describeConsistency(got vault.Consistency) string {
	var parts []string
	if got.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d interrupted change%s not settled", got.Pending, plural(got.Pending)))
	}
	if n := len(got.Orphans); n > 0 {
		parts = append(parts, fmt.Sprintf("%d value%s no item owns", n, plural(n)))
	}
	if n := len(got.Unmatched); n > 0 {
		shown := got.Unmatched[:min(n, 5)]
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" and %d more", n-len(shown))
		}
		parts = append(parts, strings.Join(shown, "; ")+more)
	}
	if got.Stale > 0 {
		parts = append(parts, fmt.Sprintf("%d token%s whose catalog details differ from the value", got.Stale, plural(got.Stale)))
	}
	return strings.Join(parts, "; ")
}

// lookPath finds an executable in $PATH as the App sees it.
func (a *App) lookPath(name string) (string, bool) {
	if strings.ContainsRune(name, os.PathSeparator) {
		return name, isExecutable(name)
	}
	for _, dir := range filepath.SplitList(a.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) {
			return p, true
		}
	}
	return "", false
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

func (a *App) inSSH() bool {
	return a.Getenv("SSH_CONNECTION") != "" || a.Getenv("SSH_CLIENT") != "" || a.Getenv("SSH_TTY") != ""
}

func (a *App) inWSL() bool { return a.Getenv("WSL_DISTRO_NAME") != "" || a.Getenv("WSL_INTEROP") != "" }

// clipboardTools lists the copy programs worth trying here, best first.
func (a *App) clipboardTools() []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"pbcopy"}
	case "windows":
		return []string{"clip.exe"}
	}
	var tools []string
	if a.Getenv("WAYLAND_DISPLAY") != "" {
		tools = append(tools, "wl-copy")
	}
	if a.Getenv("DISPLAY") != "" {
		tools = append(tools, "xclip", "xsel")
	}
	if a.inWSL() {
		tools = append(tools, "clip.exe")
	}
	return tools
}

func (a *App) checkClipboard() doctorCheck {
	c := doctorCheck{Name: "clipboard"}
	var found []string
	for _, t := range a.clipboardTools() {
		if _, ok := a.lookPath(t); ok {
			found = append(found, t)
		}
	}
	osc52 := a.inSSH() || a.Getenv("TMUX") != ""
	switch {
	case len(found) > 0 && osc52:
		c.Status, c.Detail = statusOK, found[0]+"; OSC 52 escape sequence in this SSH/tmux session"
	case len(found) > 0:
		c.Status, c.Detail = statusOK, found[0]
	case osc52:
		c.Status, c.Detail = statusOK, "OSC 52 escape sequence (SSH/tmux session; the terminal must allow clipboard writes)"
	default:
		c.Status, c.Detail = statusWarn, "no clipboard program found"
		switch runtime.GOOS {
		case "darwin", "windows":
			c.Hint = "the system clipboard program is missing from PATH"
		default:
			c.Hint = "install wl-clipboard (Wayland) or xclip/xsel (X11); in a terminal without a display, copying uses OSC 52 when the terminal supports it"
		}
	}
	return c
}

func (a *App) checkBrowser() doctorCheck {
	c := doctorCheck{Name: "browser"}
	if b := a.Getenv("BROWSER"); b != "" {
		first := strings.Fields(strings.Split(b, string(os.PathListSeparator))[0])
		if len(first) > 0 {
			if p, ok := a.lookPath(first[0]); ok {
				c.Status, c.Detail = statusOK, "$BROWSER ("+p+")"
				return c
			}
		}
		c.Status, c.Detail, c.Hint = statusWarn, fmt.Sprintf("$BROWSER is %q but no such program is in PATH", b), "fix BROWSER or unset it"
		return c
	}
	var openers []string
	switch runtime.GOOS {
	case "darwin":
		openers = []string{"open"}
	case "windows":
		c.Status, c.Detail = statusOK, "the Windows URL handler (rundll32)"
		return c
	default:
		if a.inWSL() {
			openers = append(openers, "wslview")
		}
		openers = append(openers, "xdg-open", "sensible-browser", "x-www-browser")
	}
	for _, o := range openers {
		if p, ok := a.lookPath(o); ok {
			c.Status, c.Detail = statusOK, p
			if a.inSSH() {
				c.Detail += " (this is an SSH session: it opens on the remote machine; URLs are also printed)"
			}
			return c
		}
	}
	c.Status, c.Detail = statusWarn, "no browser opener ($BROWSER, xdg-open, open) found"
	c.Hint = "authorization URLs are printed (and shown as QR codes) to open by hand; set BROWSER to a program to open them"
	return c
}

func (a *App) checkSSH() doctorCheck {
	c := doctorCheck{Name: "ssh", Status: statusInfo, Detail: "local session"}
	if a.inSSH() {
		c.Detail = "remote session (SSH): browser flows print their URL; clipboard copies use OSC 52"
	}
	if a.Getenv("TMUX") != "" {
		c.Detail += "; inside tmux (OSC 52 needs 'set -g set-clipboard on')"
	}
	return c
}

func (a *App) renderDoctor(checks []doctorCheck) {
	t := &table{header: []string{"CHECK", "STATUS", "DETAIL"}}
	colors := map[string]string{statusOK: sgrGreen, statusWarn: sgrYellow, statusFail: sgrRed, statusInfo: sgrDim}
	for _, c := range checks {
		t.add(cell{text: c.Name}, cell{text: c.Status, color: colors[c.Status]}, cell{text: c.Detail})
		if c.Hint != "" {
			t.add(cell{}, cell{}, cell{text: "→ " + c.Hint, color: colors[c.Status]})
		}
	}
	t.render(a, a.IO.Out)
}
