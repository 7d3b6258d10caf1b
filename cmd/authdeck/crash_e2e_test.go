//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/vaulttest"
	"github.com/authdeck/authdeck/vault/workspace"
)

// The crash test (S-38): a real authdeck process, built with the
// authdeck_crashtest tag, kills itself with SIGKILL at a named instant of a
// change (AUTHDECK_TEST_CRASH_AT=POINT#N) — when the intent is recorded,
// when the vault file or a keychain item is replaced, between the store
// write and the catalog write, while the catalog is put in place — or is
// killed from outside at a random moment. The next command must leave the
// workspace consistent (no value without a catalog item, no item without
// its value, nothing in flight, no file aside) and the change either whole
// or not at all.

// crashPoints are the instants tried for every operation; a point an
// operation does not reach (a second keychain item of a one-value change)
// counts as not reached, never as consistent.
var crashPoints = map[string][]string{
	vault.BackendFile: {
		"aside:catalog.json#1", "replaced:catalog.json#1", "intent-recorded",
		"aside:vault.age#1", "replaced:vault.age#1", "store-applied",
		"aside:catalog.json#2", "replaced:catalog.json#2",
	},
	vault.BackendKeychain: {
		"aside:catalog.json#1", "intent-recorded",
		"keychain-replaced#1", "keychain-replaced#2", "keychain-replaced#4", "store-applied",
		"aside:catalog.json#2", "replaced:catalog.json#2",
	},
}

// crashRandomKills is how many kills at random moments each operation gets.
const crashRandomKills = 2

// crashOp is one change the test interrupts: setup runs first (whole), then
// the change; state says whether the workspace holds the change's "old"
// or "new" state, or describes a mix.
type crashOp struct {
	name  string
	setup [][]string // argv; a leading "<stdin>" element is fed on stdin
	args  []string
	stdin string
	state func(ctx context.Context, v *vault.Vault) string
}

const crashImportN = 5

func crashOps() []crashOp {
	var items []string
	for i := range crashImportN {
		items = append(items, fmt.Sprintf(`{"data": {"value": {"headerName": "X-Key-%d", "key": "imported-%d-0123456789"}, "type": "API_KEY", "name": "imp%d"}}`, i, i, i))
	}
	importJSON := "[" + strings.Join(items, ",\n") + "]\n"
	secretState := func(name, value string) func(ctx context.Context, v *vault.Vault) string {
		return func(ctx context.Context, v *vault.Vault) string {
			s, err := v.Secret("default", name)
			if err != nil {
				return "old"
			}
			val, err := v.SecretValue(ctx, s)
			switch {
			case err != nil:
				return fmt.Sprintf("secret %s listed but unreadable: %v", name, err)
			case val.Key != value:
				return fmt.Sprintf("secret %s has another value", name)
			}
			return "new"
		}
	}
	return []crashOp{
		{
			name:  "secret add",
			setup: [][]string{{"<stdin>kept-0123456789\n", "secret", "add", "kept", "--type", "API_KEY", "--value-stdin"}},
			args:  []string{"secret", "add", "api", "--type", "API_KEY", "--value-stdin"},
			stdin: "added-0123456789\n",
			state: secretState("api", "added-0123456789"),
		},
		{
			name:  "env set",
			setup: [][]string{{"env", "set", "baseUrl", "https://api.example.com"}},
			args:  []string{"env", "set", "token", "--secret", "--value-stdin"},
			stdin: "var-0123456789\n",
			state: func(ctx context.Context, v *vault.Vault) string {
				vars, err := v.Vars(ctx, "default")
				if err != nil {
					return fmt.Sprintf("variables unreadable: %v", err)
				}
				switch val, ok := vars["token"]; {
				case !ok:
					return "old"
				case val != "var-0123456789":
					return "variable token has another value"
				}
				return "new"
			},
		},
		{
			name:  "secret import",
			args:  []string{"secret", "import", "-"},
			stdin: importJSON,
			state: func(ctx context.Context, v *vault.Vault) string {
				var have []string
				for i := range crashImportN {
					name := fmt.Sprintf("imp%d", i)
					switch st := secretState(name, fmt.Sprintf("imported-%d-0123456789", i))(ctx, v); st {
					case "new":
						have = append(have, name)
					case "old":
					default:
						return st
					}
				}
				switch len(have) {
				case 0:
					return "old"
				case crashImportN:
					return "new"
				}
				return fmt.Sprintf("import half done: only %v", have)
			},
		},
		{
			name:  "secret rm",
			setup: [][]string{{"<stdin>doomed-0123456789\n", "secret", "add", "doomed", "--type", "API_KEY", "--value-stdin"}},
			args:  []string{"secret", "rm", "doomed"},
			state: func(ctx context.Context, v *vault.Vault) string {
				switch st := secretState("doomed", "doomed-0123456789")(ctx, v); st {
				case "old":
					return "new" // removed
				case "new":
					return "old" // still there, with its value
				default:
					return st
				}
			},
		},
		{
			name: "env rm",
			setup: [][]string{
				{"env", "add", "tmp"},
				{"<stdin>tmp-var-0123456789\n", "env", "set", "tvar", "--secret", "--value-stdin", "--env", "tmp"},
				{"<stdin>tmp-key-0123456789\n", "secret", "add", "tkey", "--type", "API_KEY", "--value-stdin", "--env", "tmp"},
			},
			args: []string{"env", "rm", "tmp", "--yes"},
			state: func(ctx context.Context, v *vault.Vault) string {
				c, err := v.Load()
				if err != nil {
					return err.Error()
				}
				if _, ok := c.Env("tmp"); !ok {
					return "new"
				}
				vars, err := v.Vars(ctx, "tmp")
				if err != nil || vars["tvar"] != "tmp-var-0123456789" {
					return fmt.Sprintf("environment tmp kept without its variable (%v)", err)
				}
				s, err := v.Secret("tmp", "tkey")
				if err != nil {
					return "environment tmp kept without its secret"
				}
				if val, err := v.SecretValue(ctx, s); err != nil || val.Key != "tmp-key-0123456789" {
					return fmt.Sprintf("environment tmp kept without its secret's value (%v)", err)
				}
				return "old"
			},
		},
	}
}

// crashTally counts what the test tried.
type crashTally struct {
	tried, killed, notReached, consistent int
}

// buildCrashBinary returns authdeck built with the crash points armed
// (once for the test run, buildBinary).
func buildCrashBinary(t *testing.T) string {
	t.Helper()
	return buildBinary(t, tagsCrash)
}

func TestCrashConsistencyRepairedByNextCommand(t *testing.T) {
	runCrashSuite(t, false, crashPoints, 38)
}

// runCrashSuite kills every crash operation at each named point of its
// backend (points), while the next command settles it, and (file vault
// only) at random moments, in the personal workspace or (team) a team
// workspace folder; every killed change must be consistent after the next
// command.
func runCrashSuite(t *testing.T, team bool, points map[string][]string, seed uint64) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds and kills the binary; skipped with -short (never in CI)")
	}
	dir := t.TempDir()
	bin := buildCrashBinary(t)
	what := "workspace"
	if team {
		what = "team workspace"
	}
	for _, backend := range []string{vault.BackendFile, vault.BackendKeychain} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			if backend == vault.BackendKeychain {
				vaulttest.RequireSecretService(t)
			}
			var tally crashTally
			start := time.Now()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), seed))
			for _, op := range crashOps() {
				// The file vault's trials of op start from its setup's
				// state put back (crashSetup); the keychain's run the setup
				// each time, their values being in the shared Secret Service.
				var setup *crashSetup
				if backend == vault.BackendFile {
					base, err := os.MkdirTemp(dir, "op-")
					if err != nil {
						t.Fatal(err)
					}
					setup = &crashSetup{base: base}
				}
				for _, point := range points[backend] {
					crashTrial(t, bin, dir, setup, backend, team, op, point, 0, &tally)
				}
				// A crash while the next command settles the change: the
				// command after it settles it again.
				crashTrial(t, bin, dir, setup, backend, team, op, "store-applied", 0, &tally, "settle-store-done")
				// Kills from outside at random moments of the change — on
				// the file vault only: gnome-keyring 42 aborts (GLib-ERROR in
				// plain_negotiate) when a client is killed while it opens its
				// session, taking down the Secret Service that every other
				// keychain test of the run uses. The named points above kill
				// the keychain runs once their session is open.
				d := crashTrial(t, bin, dir, setup, backend, team, op, "", 0, &tally)
				if backend == vault.BackendKeychain {
					continue
				}
				for range crashRandomKills {
					crashTrial(t, bin, dir, setup, backend, team, op, "", time.Duration(rng.Int64N(int64(d)+1)), &tally)
				}
			}
			testReport(t, "crash test, %s, %s vault: %d kill points tried, %d killed the process (%d not reached), %d of %d consistent after the next command, in %v",
				what, backend, tally.tried, tally.killed, tally.notReached, tally.consistent, tally.killed, time.Since(start).Round(time.Millisecond))
			if tally.consistent != tally.killed {
				t.Fatalf("%d of %d interrupted changes left the %s inconsistent", tally.killed-tally.consistent, tally.killed, what)
			}
			if tally.killed < tally.tried/2 {
				t.Fatalf("only %d of %d kill points were reached: the crash points are not where the test expects them", tally.killed, tally.tried)
			}
		})
	}
}

// crashSetup keeps the state an operation's setup leaves (the home and,
// with a team workspace, the folder's repository), so each trial of the
// operation after the first starts from that state put back at the same
// paths, byte for byte with the files' modes and times, instead of running
// init and the setup commands again.
type crashSetup struct {
	// base holds the trials' home and repo, and saved/home and saved/repo
	// once the first trial's setup has run.
	base  string
	saved bool
}

// crashTrial runs op in a fresh home (with team, in a fresh team workspace
// folder made with 'authdeck init'), or with setup (file vault) in its
// saved state once there is one: with point set, the process kills
// itself there ("{tag}" in it standing for the folder's tag in the names
// of its files in the home); with delay set, it is killed from outside
// after delay; with neither, it runs whole and crashTrial returns how long
// it took. Then the next command(s) run, settleCrash being a crash point
// for the first of them, and the workspace is checked.
func crashTrial(t *testing.T, bin, dir string, setup *crashSetup, backend string, team bool, op crashOp, point string, delay time.Duration, tally *crashTally, settleCrash ...string) time.Duration {
	t.Helper()
	var home, repo string
	restored := false
	if setup == nil {
		var err error
		if home, err = os.MkdirTemp(dir, "home-"); err != nil {
			t.Fatal(err)
		}
		if team {
			if repo, err = os.MkdirTemp(dir, "repo-"); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		home, repo = filepath.Join(setup.base, "home"), filepath.Join(setup.base, "repo")
		for _, d := range []string{home, repo} {
			if err := os.RemoveAll(d); err != nil {
				t.Fatal(err)
			}
		}
		if restored = setup.saved; restored {
			copyTree(t, filepath.Join(setup.base, "saved", "home"), home)
			if team {
				copyTree(t, filepath.Join(setup.base, "saved", "repo"), repo)
			}
		} else {
			for _, d := range []string{home, repo} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	env := []string{
		"AUTHDECK_VAULT=" + backend, "AUTHDECK_HOME=" + home, "AUTHDECK_PASSPHRASE=" + e2ePass,
		"AUTHDECK_TEST_SCRYPT_WORK_FACTOR=10",
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1", "LANG=C.UTF-8",
	}
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	what := op.name + " at " + point
	if point == "" {
		what = fmt.Sprintf("%s killed after %v", op.name, delay)
	}
	run := func(crashAt string, stdin string, args ...string) (killed bool, out string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		if crashAt != "" {
			cmd.Env = append(slices.Clone(env), "AUTHDECK_TEST_CRASH_AT="+crashAt)
		}
		cmd.Dir = dir
		var buf bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &buf, &buf
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true, buf.String()
			}
		}
		if err != nil {
			t.Fatalf("%s: authdeck %s: %v\n%s", what, strings.Join(args, " "), err, buf.String())
		}
		return false, buf.String()
	}

	v, err := local.Open(local.Options{Home: home, Backend: backend, Passphrase: func() (string, error) { return e2ePass, nil }, FileWorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	// checked is the vault the commands work on: the personal one, or
	// the team workspace's over the same store; asideDirs are where a
	// file left aside would lie.
	checked, asideDirs := v, []string{home}
	if team {
		folder := filepath.Join(repo, "authdeck")
		if !restored {
			if killed, out := run("", "", "init", folder, "--no-team", "--name", "crash"); killed {
				t.Fatalf("%s: init killed:\n%s", what, out)
			}
		}
		env = append(env, "AUTHDECK_WORKSPACE="+folder)
		ws, err := workspace.Open(folder, workspace.Options{Home: home})
		if err != nil {
			t.Fatal(err)
		}
		checked, asideDirs = vault.New(ws, ws.Store(v.Store())), append(asideDirs, ws.StateDir(), folder)
		point = strings.ReplaceAll(point, "{tag}", strings.TrimSuffix(strings.TrimPrefix(filepath.Base(ws.IntentsPath()), "intents-"), ".json"))
	}
	ctx := context.Background()
	lister, _ := v.Store().(vault.KeyLister)
	var before []string
	if backend == vault.BackendKeychain {
		if before, err = lister.ListKeys(ctx); err != nil {
			t.Fatal(err)
		}
		// Whatever this trial stores in the shared keychain goes when it ends.
		defer func() {
			after, err := lister.ListKeys(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			for _, k := range after {
				if !slices.Contains(before, k) {
					if err := v.Store().Delete(ctx, k); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	for _, argv := range op.setup {
		if restored {
			break
		}
		stdin := ""
		if s, ok := strings.CutPrefix(argv[0], "<stdin>"); ok {
			stdin, argv = s, argv[1:]
		}
		if killed, _ := run("", stdin, argv...); killed {
			t.Fatalf("%s: setup killed", what)
		}
	}
	if setup != nil && !setup.saved {
		copyTree(t, home, filepath.Join(setup.base, "saved", "home"))
		if team {
			copyTree(t, repo, filepath.Join(setup.base, "saved", "repo"))
		}
		setup.saved = true
	}

	var killed bool
	var took time.Duration
	switch {
	case point != "":
		tally.tried++
		killed, _ = run(point, op.stdin, op.args...)
	case delay > 0:
		tally.tried++
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, bin, op.args...)
		cmd.Env, cmd.Dir, cmd.Stdin = env, dir, strings.NewReader(op.stdin)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		cancel()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ws, ok := ee.Sys().(syscall.WaitStatus)
			killed = ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
		}
	default:
		t0 := time.Now()
		run("", op.stdin, op.args...)
		took = time.Since(t0)
	}
	if point != "" || delay > 0 {
		if !killed {
			tally.notReached++
			return took
		}
		tally.killed++
	}

	// The next command settles what the killed one left.
	for _, crashAt := range settleCrash {
		if k, out := run(crashAt, "", "secret", "list"); !k {
			t.Fatalf("%s: the settling command was not killed at %s:\n%s", what, crashAt, out)
		}
	}
	if k, out := run("", "", "secret", "list"); k {
		t.Fatalf("%s: the next command was killed:\n%s", what, out)
	}

	// Consistent: nothing in flight, no value without an item (in the
	// shared keychain: none this trial added), no item without its value,
	// no file aside; and the change whole or not at all.
	var problems []string
	got, err := checked.Check(ctx)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got.Pending > 0 {
		problems = append(problems, fmt.Sprintf("%d changes still in flight", got.Pending))
	}
	if !got.Listed {
		problems = append(problems, "the store did not list its keys")
	}
	for _, k := range got.Orphans {
		if !slices.Contains(before, k) {
			problems = append(problems, "value without an item: "+k)
		}
	}
	problems = append(problems, got.Unmatched...)
	if got.Stale > 0 {
		problems = append(problems, fmt.Sprintf("%d tokens whose details differ from their value", got.Stale))
	}
	for _, d := range asideDirs {
		entries, err := os.ReadDir(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				problems = append(problems, "file left aside: "+filepath.Join(d, e.Name()))
			}
		}
	}
	if team {
		if in, err := checked.Catalogs().(*workspace.Workspace).Intents(); err != nil || len(in) > 0 {
			problems = append(problems, fmt.Sprintf("intents still recorded: %v %v", in, err))
		}
	}
	if st := op.state(ctx, checked); st != "old" && st != "new" {
		problems = append(problems, st)
	}
	if len(problems) > 0 {
		t.Errorf("%s: after the next command: %s", what, strings.Join(problems, "; "))
		return took
	}
	if point != "" || delay > 0 {
		tally.consistent++
	}
	return took
}

// copyTree copies the directory tree src to dst (which must not exist):
// directories and regular files with their permission bits and
// modification times.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	type stamp struct {
		path string
		mod  time.Time
	}
	var dirs []stamp
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.MkdirAll(target, info.Mode().Perm()); err != nil {
				return err
			}
			// MkdirAll leaves out bits the umask clears.
			if err := os.Chmod(target, info.Mode().Perm()); err != nil {
				return err
			}
			dirs = append(dirs, stamp{target, info.ModTime()})
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
				return err
			}
			if err := os.Chmod(target, info.Mode().Perm()); err != nil {
				return err
			}
			if err := os.Chtimes(target, info.ModTime(), info.ModTime()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is neither a directory nor a regular file (%v)", p, d.Type())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	// Deepest first: a directory's time changes as entries are made in it.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chtimes(dirs[i].path, dirs[i].mod, dirs[i].mod); err != nil {
			t.Fatal(err)
		}
	}
}
