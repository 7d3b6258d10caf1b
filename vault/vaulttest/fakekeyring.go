package vaulttest

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"
)

// FakeKeyring is an in-memory vault.KeyringProvider whose calls can be made
// to block, fail, or find items damaged — what a real keychain does on a
// bad day. It answers like go-keyring: keyring.ErrNotFound for a missing item.
type FakeKeyring struct {
	mu      sync.Mutex
	items   map[string]string // service + "\x00" + user → item
	gate    chan struct{}
	failAll error
	failSet struct {
		after int // the after-th Set from now fails (1-based); 0 = never
		err   error
	}
	calls    atomic.Int64
	inFlight atomic.Int64
}

// NewFakeKeyring returns an empty fake keyring.
func NewFakeKeyring() *FakeKeyring { return &FakeKeyring{items: map[string]string{}} }

func itemID(service, user string) string { return service + "\x00" + user }

// enter applies the blocking and failure settings to one call.
func (f *FakeKeyring) enter(op string) error {
	f.calls.Add(1)
	f.mu.Lock()
	gate, failAll := f.gate, f.failAll
	var setErr error
	if op == "set" && f.failSet.after > 0 {
		f.failSet.after--
		if f.failSet.after == 0 {
			setErr = f.failSet.err
		}
	}
	f.mu.Unlock()
	if gate != nil {
		f.inFlight.Add(1)
		<-gate
		f.inFlight.Add(-1)
	}
	if failAll != nil {
		return failAll
	}
	return setErr
}

// Get returns the item for service and user.
func (f *FakeKeyring) Get(service, user string) (string, error) {
	if err := f.enter("get"); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[itemID(service, user)]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set stores the item for service and user.
func (f *FakeKeyring) Set(service, user, password string) error {
	if err := f.enter("set"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[itemID(service, user)] = password
	return nil
}

// Delete removes the item for service and user.
func (f *FakeKeyring) Delete(service, user string) error {
	if err := f.enter("delete"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := itemID(service, user)
	if _, ok := f.items[id]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.items, id)
	return nil
}

// Users returns the account names stored under service, sorted.
func (f *FakeKeyring) Users(service string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.items {
		if s, u, _ := strings.Cut(id, "\x00"); s == service {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// Item returns the raw item stored for service and user.
func (f *FakeKeyring) Item(service, user string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[itemID(service, user)]
	return v, ok
}

// PutItem stores a raw item, bypassing the failure settings (to plant
// damaged or foreign items).
func (f *FakeKeyring) PutItem(service, user, item string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[itemID(service, user)] = item
}

// RemoveItem deletes a raw item, bypassing the failure settings.
func (f *FakeKeyring) RemoveItem(service, user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.items, itemID(service, user))
}

// Block makes every call from now on wait until release is called, like a
// keychain waiting on an unlock prompt nobody answers.
func (f *FakeKeyring) Block() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.gate == gate {
				f.gate = nil
			}
			f.mu.Unlock()
			close(gate)
		})
	}
}

// FailWith makes every call fail with err; nil restores normal answers.
func (f *FakeKeyring) FailWith(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAll = err
}

// FailSetAt makes the n-th Set from now (1-based) fail with err.
func (f *FakeKeyring) FailSetAt(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failSet.after, f.failSet.err = n, err
}

// Calls returns how many calls the keyring has received.
func (f *FakeKeyring) Calls() int64 { return f.calls.Load() }

// InFlight returns how many calls are blocked right now.
func (f *FakeKeyring) InFlight() int64 { return f.inFlight.Load() }

// Len returns the number of items stored, across services.
func (f *FakeKeyring) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items)
}

// D-Bus errors as a Secret Service returns them, for FailWith.
var (
	// ErrDBusLocked is what gnome-keyring answers when reading an item of a
	// locked collection.
	ErrDBusLocked error = dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked", Body: []any{"Cannot get secret of a locked object"}}
	// ErrDBusNoService is what the bus answers when no Secret Service runs.
	ErrDBusNoService error = dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}
	// ErrDBusNoReply is what the bus answers when the service never replies.
	ErrDBusNoReply error = dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply", Body: []any{"Did not receive a reply"}}
)
