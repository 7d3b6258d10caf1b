package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// fakeBin makes a directory with executables of the given names, for $PATH.
func fakeBin(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDoctorVaultRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must("", "doctor")
	if !strings.Contains(r.out, "vault      warn    memory demo works: set ") || !strings.Contains(r.out, "get ") || !strings.Contains(r.out, "delete ") {
		t.Fatalf("doctor:\n%s", r.out)
	}
	if h.storedKeys() != 0 {
		t.Fatal("doctor left its test key in the store")
	}
	var rep struct {
		OK     bool          `json:"ok"`
		Checks []doctorCheck `json:"checks"`
	}
	if err := json.Unmarshal([]byte(h.must("", "doctor", "--json").out), &rep); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, c := range rep.Checks {
		names = append(names, c.Name)
	}
	if !rep.OK || strings.Join(names, ",") != "backend,vault,catalog,workspace,agreement,clipboard,browser,ssh" {
		t.Fatalf("doctor --json: ok %v, checks %v", rep.OK, names)
	}
}

func TestDoctorVaultFailsExit8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		backend string
		failAt  int
		failErr error
		want    []string
	}{
		{"keychain unavailable", vault.BackendKeychain, 1, vault.ErrUnavailable, []string{"set: memory vault: set", "AUTHDECK_VAULT=file"}},
		{"keychain locked", vault.BackendKeychain, 1, vault.ErrLocked, []string{"unlock the keychain", "AUTHDECK_VAULT=file"}},
		{"wrong passphrase", vault.BackendFile, 1, vault.ErrLocked, []string{"passphrase does not open the file vault", "AUTHDECK_PASSPHRASE"}},
		{"delete fails", vault.BackendKeychain, 2, vault.ErrTimeout, []string{"delete: ", "timed out"}},
		// A timeout is not a wrong passphrase: the advice says so.
		{"file vault timed out", vault.BackendFile, 1, vault.ErrTimeout, []string{"did not answer in time", "run doctor again"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := vault.NewMemoryStore()
			fs := vaulttest.NewFailingStore(mem, tc.failAt)
			fs.FailWith = tc.failErr
			h := newHarnessWith(t, vault.New(vault.NewMemoryCatalog(), fs))
			r := h.runWith(runOpts{env: map[string]string{"AUTHDECK_VAULT": tc.backend}}, "", "doctor")
			if r.code != exitVault {
				t.Fatalf("exit %d\n%s%s", r.code, r.out, r.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.all(), w) {
					t.Fatalf("doctor output lacks %q:\n%s%s", w, r.out, r.err)
				}
			}
			if !strings.Contains(r.out, "vault      fail") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
				t.Fatalf("doctor:\n%s\nstderr:\n%s", r.out, r.err)
			}
			if len(mem.Keys()) != 0 {
				t.Fatal("the test key was left behind")
			}
			if errors.Is(tc.failErr, vault.ErrTimeout) && (strings.Contains(r.all(), "passphrase is right") || strings.Contains(r.all(), "check AUTHDECK_PASSPHRASE")) {
				t.Fatalf("a timeout is blamed on the passphrase:\n%s%s", r.out, r.err)
			}
		})
	}
}

func TestDoctorClipboardBrowserSSH(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the tool names checked here are the Linux ones")
	}
	xclip := fakeBin(t, "xclip", "xdg-open", "firefox")
	empty := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"x11 with xclip", map[string]string{"PATH": xclip, "DISPLAY": ":0"}, []string{"clipboard  ok      xclip", "browser    ok      " + filepath.Join(xclip, "xdg-open"), "ssh        info    local session"}},
		{"wayland without wl-copy", map[string]string{"PATH": xclip, "WAYLAND_DISPLAY": "wayland-0"}, []string{"clipboard  warn    no clipboard program found", "install wl-clipboard"}},
		{"ssh uses OSC 52", map[string]string{"PATH": empty, "SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 50000"}, []string{"clipboard  ok      OSC 52", "remote session (SSH)", "no browser opener", "printed"}},
		{"tmux", map[string]string{"PATH": xclip, "DISPLAY": ":0", "TMUX": "/tmp/tmux-0/default,1,0"}, []string{"xclip; OSC 52", "set-clipboard on"}},
		{"BROWSER found", map[string]string{"PATH": xclip, "BROWSER": "firefox"}, []string{"$BROWSER (" + filepath.Join(xclip, "firefox") + ")"}},
		{"BROWSER missing", map[string]string{"PATH": xclip, "BROWSER": "nosuchbrowser"}, []string{`$BROWSER is "nosuchbrowser" but no such program is in PATH`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			r := h.runWith(runOpts{env: tc.env}, "", "doctor")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.out, w) {
					t.Fatalf("doctor output lacks %q:\n%s", w, r.out)
				}
			}
		})
	}
}

func TestDoctorCatalogPermissions(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(cat, vault.NewMemoryStore())
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, v)
	r := h.must("", "doctor")
	if !strings.Contains(r.out, filepath.Join(home, "catalog.json")+" (0600 in a 0700 directory)") {
		t.Fatalf("doctor:\n%s", r.out)
	}
	if err := os.Chmod(filepath.Join(home, "catalog.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.must("", "doctor")
	if !strings.Contains(r.out, "file is 0644, want 0600") || !strings.Contains(r.out, "chmod 600") {
		t.Fatalf("doctor does not flag a readable catalog:\n%s", r.out)
	}
}

// TestDoctorReportsAndRepairsDisagreement: doctor reports a value no item
// owns and an item whose value is gone (S-38), and doctor --repair removes
// both, leaving the other items alone.
func TestDoctorReportsAndRepairsDisagreement(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		t.Fatal(err)
	}
	mem := vault.NewMemoryStore()
	v := vault.New(cat, mem)
	h := newHarnessWith(t, v)
	h.must("kept-0123456789\n", "secret", "add", "kept", "--type", "API_KEY", "--value-stdin")
	h.must("lost-0123456789\n", "secret", "add", "lost", "--type", "API_KEY", "--value-stdin")
	ctx := context.Background()
	lost, err := v.Secret("default", "lost")
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Delete(ctx, "secret/"+lost.ID); err != nil {
		t.Fatal(err)
	}
	if err := mem.Set(ctx, "secret/0123456789abcdef", []byte(`{"key":"orphan-0123456789"}`)); err != nil {
		t.Fatal(err)
	}
	r := h.must("", "doctor")
	if !strings.Contains(r.out, "agreement  warn") || !strings.Contains(r.out, "1 value no item owns") ||
		!strings.Contains(r.out, `secret "lost" of environment "default" has no value`) || !strings.Contains(r.out, "authdeck doctor --repair") {
		t.Fatalf("doctor does not report the disagreement:\n%s", r.out)
	}
	r = h.must("", "doctor", "--repair")
	if !strings.Contains(r.out, "repair     ok") || !strings.Contains(r.out, "1 value no item owned removed") ||
		!strings.Contains(r.out, `removed secret "lost" (its value is gone)`) || !strings.Contains(r.out, "catalog and store agree") {
		t.Fatalf("doctor --repair:\n%s", r.out)
	}
	if _, err := mem.Get(ctx, "secret/0123456789abcdef"); err == nil {
		t.Fatal("the value no item owned is still stored")
	}
	if _, err := v.Secret("default", "lost"); err == nil {
		t.Fatal("the secret whose value was gone is still listed")
	}
	kept, err := v.Secret("default", "kept")
	if err != nil {
		t.Fatal(err)
	}
	if val, err := v.SecretValue(ctx, kept); err != nil || val.Key != "kept-0123456789" {
		t.Fatalf("the repair touched another secret: %v", err)
	}
	h.expect(exitOther, []string{"--prune-keychain goes with --repair"}, "", "doctor", "--prune-keychain")
}
