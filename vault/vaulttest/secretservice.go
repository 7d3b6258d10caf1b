package vaulttest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"

	"github.com/authdeck/authdeck/vault"
)

// SecretServiceAvailable reports whether a Secret Service owns
// org.freedesktop.secrets on the session bus, and why not. It never starts a
// bus or a keyring daemon.
func SecretServiceAvailable() (bool, string) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		// godbus would otherwise try to autolaunch a bus with dbus-launch.
		rt := os.Getenv("XDG_RUNTIME_DIR")
		if rt == "" {
			return false, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset)"
		}
		if _, err := os.Stat(filepath.Join(rt, "bus")); err != nil {
			return false, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and " + filepath.Join(rt, "bus") + " does not exist)"
		}
	}
	type answer struct {
		ok     bool
		reason string
	}
	done := make(chan answer, 1)
	go func() {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			done <- answer{false, "cannot connect to the D-Bus session bus: " + err.Error()}
			return
		}
		defer conn.Close()
		var has bool
		err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&has)
		switch {
		case err != nil:
			done <- answer{false, "asking the bus for org.freedesktop.secrets: " + err.Error()}
		case !has:
			done <- answer{false, "nothing owns org.freedesktop.secrets on the session bus (no Secret Service running)"}
		default:
			done <- answer{true, ""}
		}
	}()
	select {
	case a := <-done:
		return a.ok, a.reason
	case <-time.After(5 * time.Second):
		return false, "the D-Bus session bus did not answer within 5s"
	}
}

// RequireSecretService fails the test when no Secret Service answers and
// CI=true (CI provides one, so its absence is a broken run), and skips it
// with the reason otherwise.
func RequireSecretService(t testing.TB) {
	t.Helper()
	ok, reason := SecretServiceAvailable()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but no Secret Service answers: %s (run the tests through .ci/with-secret-service.sh)", reason)
	}
	t.Skipf("no Secret Service: %s (run through .ci/with-secret-service.sh to include these tests)", reason)
}

// SecretServiceStore returns a keychain store on the real Secret Service,
// under a service name of its own that is emptied when the test ends. It
// calls RequireSecretService first.
func SecretServiceStore(t testing.TB, chunkSize int) *vault.KeychainStore {
	t.Helper()
	s, _ := SecretServiceStores(t, chunkSize, nil)
	return s
}

// SecretServiceStores returns two keychain stores on one fresh service of
// the real Secret Service: the first calls the keyring through wrap (nil:
// directly), the second calls it directly, as a view of the same items.
func SecretServiceStores(t testing.TB, chunkSize int, wrap func(vault.KeyringProvider) vault.KeyringProvider) (wrapped, plain *vault.KeychainStore) {
	t.Helper()
	RequireSecretService(t)
	service := fmt.Sprintf("authdeck-test-%x", RandomBytes(6))
	t.Cleanup(func() {
		done := make(chan error, 1)
		go func() { done <- keyring.DeleteAll(service) }()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("cleaning up keychain service %s: %v", service, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("cleaning up keychain service %s: no answer within 30s", service)
		}
	})
	provider := vault.SystemKeyring()
	if wrap != nil {
		provider = wrap(provider)
	}
	wrapped = vault.NewKeychainStore(vault.KeychainOptions{Provider: provider, Service: service, ChunkSize: chunkSize, Timeout: 10 * time.Second})
	plain = vault.NewKeychainStore(vault.KeychainOptions{Service: service, ChunkSize: chunkSize, Timeout: 10 * time.Second})
	return wrapped, plain
}
