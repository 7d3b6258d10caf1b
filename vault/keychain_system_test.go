package vault_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	dbus "github.com/godbus/dbus/v5"

	"github.com/authdeck/authdeck/vault"
)

// lockLoginCollection locks the Secret Service's login collection, as the
// desktop does when the screen locks. Only ever called inside a private
// session started by .ci/with-secret-service.sh.
func lockLoginCollection(t *testing.T) {
	t.Helper()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err = conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).
		Store(&locked, &prompt)
	if err != nil {
		t.Fatalf("locking the login collection: %v", err)
	}
	if len(locked) != 1 {
		t.Fatalf("locking the login collection locked %v", locked)
	}
}

type helperResult struct {
	sentinel, storeFailure, hint, msg string
}

func parseResults(t *testing.T, out string) []helperResult {
	t.Helper()
	var res []helperResult
	for line := range strings.SplitSeq(out, "\n") {
		rest, ok := strings.CutPrefix(line, "result|")
		if !ok {
			continue
		}
		f := strings.SplitN(rest, "|", 4)
		if len(f) != 4 {
			t.Fatalf("bad helper line %q", line)
		}
		res = append(res, helperResult{f[0], f[1], f[2], f[3]})
	}
	if len(res) != 2 {
		t.Fatalf("helper printed %d results, want 2; output:\n%s", len(res), out)
	}
	return res
}

// S-28: with no session bus to reach, the OS keychain backend reports
// ErrUnavailable (a store failure) with a hint naming AUTHDECK_VAULT=file, promptly.
func TestKeychainSystemNoBus(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the Linux keychain")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=keychain-system", "HELPER_PREFIX=nobus",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus-here"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	for _, r := range parseResults(t, string(out)) {
		if r.sentinel != "unavailable" || r.storeFailure != "true" || !strings.Contains(r.hint, "AUTHDECK_VAULT=file") {
			t.Errorf("no bus: got %s (store failure %s, hint %q): %s; want unavailable, a store failure, a hint naming AUTHDECK_VAULT=file", r.sentinel, r.storeFailure, r.hint, r.msg)
		}
	}
}

// S-28: a locked Secret Service collection is ErrLocked (a store failure), not a
// hang: gnome-keyring tries to show an unlock prompt, which cannot appear
// without a display, and reports it dismissed. Runs in a private session so
// no real keyring is locked.
func TestKeychainSecretServiceLocked(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the Linux keychain")
	}
	script, err := filepath.Abs(filepath.Join("..", ".ci", "with-secret-service.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"bash", "dbus-run-session", "dbus-send", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is not installed (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed; this test starts a private gnome-keyring", tool)
		}
	}
	cmd := exec.Command("bash", script, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=keychain-system", "HELPER_PREFIX=locked", "HELPER_LOCK=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper in a private Secret Service: %v\n%s", err, out)
	}
	for _, r := range parseResults(t, string(out)) {
		if r.sentinel != "locked" || r.storeFailure != "true" || !strings.Contains(r.hint, "AUTHDECK_VAULT=file") {
			t.Errorf("locked collection: got %s (store failure %s, hint %q): %s; want locked, a store failure, a hint naming AUTHDECK_VAULT=file", r.sentinel, r.storeFailure, r.hint, r.msg)
		}
	}
	t.Logf("locked collection reported as: %s", parseResults(t, string(out))[0].msg)
}

var _ = vault.ErrLocked
