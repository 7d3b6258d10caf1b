package vault

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// requireSecretServiceInternal skips without a Secret Service (failing
// under CI=true, which provides one). The vaulttest helper cannot be used
// from inside the package.
func requireSecretServiceInternal(t *testing.T) {
	t.Helper()
	reason := ""
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		reason = "DBUS_SESSION_BUS_ADDRESS is unset"
	} else if conn, err := dbus.ConnectSessionBus(); err != nil {
		reason = err.Error()
	} else {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, ssName).Store(&has)
		_ = conn.Close()
		if err != nil || !has {
			reason = "nothing owns org.freedesktop.secrets"
		}
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but no Secret Service: %s (run through .ci/with-secret-service.sh)", reason)
	}
	t.Skipf("no Secret Service: %s", reason)
}

// callCounter counts the method calls a connection sends to the Secret Service.
type callCounter struct {
	mu    sync.Mutex
	calls []string
}

func (c *callCounter) intercept(m *dbus.Message) {
	if m.Type != dbus.TypeMethodCall {
		return
	}
	if dest, _ := m.Headers[dbus.FieldDestination].Value().(string); dest != ssName {
		return
	}
	member, _ := m.Headers[dbus.FieldMember].Value().(string)
	c.mu.Lock()
	c.calls = append(c.calls, member)
	c.mu.Unlock()
}

func (c *callCounter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

// privateKeyring returns a Secret Service keyring on a connection of its
// own whose calls to the service are counted.
func privateKeyring(t *testing.T) (*secretServiceKeyring, *callCounter, *dbus.Conn) {
	t.Helper()
	requireSecretServiceInternal(t)
	counter := &callCounter{}
	conn, err := dbus.SessionBusPrivate(dbus.WithOutgoingInterceptor(counter.intercept))
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	k := &secretServiceKeyring{connect: func() (*dbus.Conn, error) { return conn, nil }}
	return k, counter, conn
}

// The session kept for the process: the first call sets up the collection
// and a transfer session (asked for together), and after that a Get is two
// calls to the Secret Service (find the item, read it), a Set one (create
// or replace it) and a Delete two — where go-keyring makes seven, five and
// four.
func TestSecretServiceRoundTrips(t *testing.T) {
	t.Parallel()
	k, counter, _ := privateKeyring(t)
	service := "authdeck-rt-test-" + NewID()
	t.Cleanup(func() {
		for _, u := range []string{"a", "b"} {
			_ = k.Delete(service, u)
		}
	})
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"first Set", func() error { return k.Set(service, "a", "value a") }, []string{"Get", "OpenSession", "CreateItem"}},
		{"Get", func() error { _, err := k.Get(service, "a"); return err }, []string{"SearchItems", "GetSecret"}},
		{"Set", func() error { return k.Set(service, "a", "value a2") }, []string{"CreateItem"}},
		{"Set of another item", func() error { return k.Set(service, "b", "value b") }, []string{"CreateItem"}},
		{"Get of a missing item", func() error {
			_, err := k.Get(service, "missing")
			if err == nil {
				t.Error("a missing item was found")
			}
			return nil
		}, []string{"SearchItems"}},
		{"Delete", func() error { return k.Delete(service, "b") }, []string{"SearchItems", "Delete"}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := counter.take()
		if strings.Join(got, ",") != strings.Join(st.want, ",") {
			t.Errorf("%s made the Secret Service calls %v, want %v", st.name, got, st.want)
		}
	}
	if v, err := k.Get(service, "a"); err != nil || v != "value a2" {
		t.Fatalf("Get after the steps = %q, %v", v, err)
	}
}

// A session the service no longer knows (closed, or the daemon restarted)
// is opened again, once, and the call goes through.
func TestSecretServiceReopensALostSession(t *testing.T) {
	t.Parallel()
	k, counter, conn := privateKeyring(t)
	service := "authdeck-session-test-" + NewID()
	t.Cleanup(func() { _ = k.Delete(service, "a") })
	if err := k.Set(service, "a", "value"); err != nil {
		t.Fatal(err)
	}
	k.mu.Lock()
	session := k.session
	k.mu.Unlock()
	if err := conn.Object(ssName, session).Call("org.freedesktop.Secret.Session.Close", 0).Err; err != nil {
		t.Fatalf("closing the session: %v", err)
	}
	counter.take()
	done := make(chan error, 1)
	go func() {
		v, err := k.Get(service, "a")
		if err == nil && v != "value" {
			err = os.ErrInvalid
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Get after the session was closed: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Get after the session was closed did not return")
	}
	if got := counter.take(); !strings.Contains(strings.Join(got, ","), "OpenSession") {
		t.Fatalf("the calls %v opened no new session", got)
	}
}
