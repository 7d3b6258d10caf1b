package vault

import (
	"errors"
	"fmt"
	"sync"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"
)

// The Secret Service D-Bus API (freedesktop.org Secret Service 0.2), as the
// keychain backend uses it on Linux.
const (
	ssName            = "org.freedesktop.secrets"
	ssPath            = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService         = "org.freedesktop.Secret.Service"
	ssCollection      = "org.freedesktop.Secret.Collection"
	ssItem            = "org.freedesktop.Secret.Item"
	ssPrompt          = "org.freedesktop.Secret.Prompt"
	ssLoginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssDefaultAlias    = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	ssNoPrompt        = dbus.ObjectPath("/")
	dbusUnknownObject = "org.freedesktop.DBus.Error.UnknownObject"
	dbusUnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
)

// ssSecret is the Secret Service's Secret struct, (oayays).
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string `dbus:"content_type"`
}

// secretServiceKeyring talks to the Secret Service over the session bus
// itself, keeping what every call would otherwise set up again — the
// collection and a transfer session — for the life of the process. A Get is
// then two D-Bus round trips (find the item, read its secret) and a Set one
// (create or replace the item), where go-keyring spends seven and five, and
// the collection is unlocked only when the service says it is locked.
//
// Items are the ones go-keyring makes (attributes service and username, the
// same label and content type, in the login collection when there is one,
// else the default one), so both read each other's items.
type secretServiceKeyring struct {
	// connect returns the session bus connection (dbus.SessionBus: shared,
	// and made again when it was lost).
	connect    func() (*dbus.Conn, error)
	mu         sync.Mutex
	conn       *dbus.Conn
	collection dbus.ObjectPath
	session    dbus.ObjectPath
}

// newSecretServiceKeyring returns a keyring that connects on first use.
func newSecretServiceKeyring() *secretServiceKeyring {
	return &secretServiceKeyring{connect: dbus.SessionBus}
}

// setup returns the connection, collection and session, connecting and
// asking for the collection and a session (both at once) when needed.
func (s *secretServiceKeyring) setup() (*dbus.Conn, dbus.ObjectPath, dbus.ObjectPath, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conn, err := s.connect()
	if err != nil {
		return nil, "", "", err
	}
	if conn != s.conn {
		s.conn, s.collection, s.session = conn, "", ""
	}
	if s.collection != "" && s.session != "" {
		return conn, s.collection, s.session, nil
	}
	svc := conn.Object(ssName, ssPath)
	cols := svc.Go("org.freedesktop.DBus.Properties.Get", 0, nil, ssService, "Collections")
	open := svc.Go(ssService+".OpenSession", 0, nil, "plain", dbus.MakeVariant(""))
	<-cols.Done
	<-open.Done
	var v dbus.Variant
	if err := cols.Store(&v); err != nil {
		return nil, "", "", err
	}
	var output dbus.Variant
	var session dbus.ObjectPath
	if err := open.Store(&output, &session); err != nil {
		return nil, "", "", err
	}
	// go-keyring's choice: the login collection when it exists, else the
	// default alias.
	s.collection = ssDefaultAlias
	if paths, ok := v.Value().([]dbus.ObjectPath); ok {
		for _, p := range paths {
			if p == ssLoginCollection {
				s.collection = ssLoginCollection
			}
		}
	}
	s.session = session
	return conn, s.collection, s.session, nil
}

// Warm connects and opens the session in the background. Errors are left
// for the first real call to meet and report.
func (s *secretServiceKeyring) Warm() {
	go func() { _, _, _, _ = s.setup() }()
}

// forget drops the cached session (and collection), after the service
// says the session is gone (a restarted daemon).
func (s *secretServiceKeyring) forget() {
	s.mu.Lock()
	s.collection, s.session = "", ""
	s.mu.Unlock()
}

// do runs op with the set-up connection, once more after re-opening the
// session when the service no longer knows it, and once more after
// unlocking the collection when it is locked.
func (s *secretServiceKeyring) do(op func(conn *dbus.Conn, collection, session dbus.ObjectPath) error) error {
	for attempt := 0; ; attempt++ {
		conn, collection, session, err := s.setup()
		if err != nil {
			return err
		}
		err = op(conn, collection, session)
		var de dbus.Error
		if err == nil || attempt > 0 || !errors.As(err, &de) {
			return err
		}
		switch de.Name {
		case dbusSecretNoSession, dbusUnknownObject, dbusUnknownMethod:
			s.forget()
		case dbusSecretIsLocked:
			if err := s.unlock(conn, collection); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

func attributes(service, user string) map[string]string {
	return map[string]string{"username": user, "service": service}
}

// find returns the item of service and user, or keyring.ErrNotFound.
func find(conn *dbus.Conn, collection dbus.ObjectPath, service, user string) (dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	if err := conn.Object(ssName, collection).Call(ssCollection+".SearchItems", 0, attributes(service, user)).Store(&items); err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", keyring.ErrNotFound
	}
	return items[0], nil
}

// Get returns the item stored for service and user.
func (s *secretServiceKeyring) Get(service, user string) (string, error) {
	var out string
	err := s.do(func(conn *dbus.Conn, collection, session dbus.ObjectPath) error {
		item, err := find(conn, collection, service, user)
		if err != nil {
			return err
		}
		var secret ssSecret
		if err := conn.Object(ssName, item).Call(ssItem+".GetSecret", 0, session).Store(&secret); err != nil {
			return err
		}
		out = string(secret.Value)
		return nil
	})
	return out, err
}

// Set stores an item for service and user, replacing any previous one.
func (s *secretServiceKeyring) Set(service, user, password string) error {
	return s.do(func(conn *dbus.Conn, collection, session dbus.ObjectPath) error {
		props := map[string]dbus.Variant{
			ssItem + ".Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", user, service)),
			ssItem + ".Attributes": dbus.MakeVariant(attributes(service, user)),
		}
		secret := ssSecret{Session: session, Parameters: []byte{}, Value: []byte(password), ContentType: "text/plain; charset=utf8"}
		var item, prompt dbus.ObjectPath
		if err := conn.Object(ssName, collection).Call(ssCollection+".CreateItem", 0, props, secret, true).Store(&item, &prompt); err != nil {
			return err
		}
		if dismissed, _, err := runPrompt(conn, prompt); err != nil || dismissed {
			return promptError(err, "storing the item")
		}
		return nil
	})
}

// Delete removes the item stored for service and user.
func (s *secretServiceKeyring) Delete(service, user string) error {
	return s.do(func(conn *dbus.Conn, collection, _ dbus.ObjectPath) error {
		item, err := find(conn, collection, service, user)
		if err != nil {
			return err
		}
		var prompt dbus.ObjectPath
		if err := conn.Object(ssName, item).Call(ssItem+".Delete", 0).Store(&prompt); err != nil {
			return err
		}
		if dismissed, _, err := runPrompt(conn, prompt); err != nil || dismissed {
			return promptError(err, "deleting the item")
		}
		return nil
	})
}

// unlock asks the service to unlock collection, through its prompt if it
// shows one; a dismissed prompt is ErrLocked.
func (s *secretServiceKeyring) unlock(conn *dbus.Conn, collection dbus.ObjectPath) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := conn.Object(ssName, ssPath).Call(ssService+".Unlock", 0, []dbus.ObjectPath{collection}).Store(&unlocked, &prompt); err != nil {
		return err
	}
	if len(unlocked) > 0 {
		return nil
	}
	dismissed, result, err := runPrompt(conn, prompt)
	if err != nil || dismissed {
		return promptError(err, "unlocking "+string(collection))
	}
	if paths, ok := result.Value().([]dbus.ObjectPath); ok && len(paths) > 0 {
		return nil
	}
	return fmt.Errorf("%w: the Secret Service did not unlock %s", ErrLocked, collection)
}

func promptError(err error, what string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: the Secret Service prompt for %s was dismissed", ErrLocked, what)
}

// runPrompt shows a Secret Service prompt (unless there is none) and waits
// for its Completed signal.
func runPrompt(conn *dbus.Conn, prompt dbus.ObjectPath) (dismissed bool, result dbus.Variant, err error) {
	if prompt == ssNoPrompt || prompt == "" {
		return false, dbus.MakeVariant(""), nil
	}
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(prompt), dbus.WithMatchInterface(ssPrompt)}
	if err := conn.AddMatchSignal(match...); err != nil {
		return false, dbus.Variant{}, err
	}
	defer func() { _ = conn.RemoveMatchSignal(match...) }()
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	if err := conn.Object(ssName, prompt).Call(ssPrompt+".Prompt", 0, "").Err; err != nil {
		return false, dbus.Variant{}, err
	}
	for sig := range signals {
		if sig.Path != prompt || sig.Name != ssPrompt+".Completed" || len(sig.Body) < 2 {
			continue
		}
		d, _ := sig.Body[0].(bool)
		r, _ := sig.Body[1].(dbus.Variant)
		return d, r, nil
	}
	return false, dbus.Variant{}, errors.New("the D-Bus connection closed while a Secret Service prompt was open")
}

// List returns the user names of the items stored for service (it reads
// their attributes, never a secret).
func (s *secretServiceKeyring) List(service string) ([]string, error) {
	var users []string
	err := s.do(func(conn *dbus.Conn, collection, _ dbus.ObjectPath) error {
		users = users[:0]
		var items []dbus.ObjectPath
		if err := conn.Object(ssName, collection).Call(ssCollection+".SearchItems", 0, map[string]string{"service": service}).Store(&items); err != nil {
			return err
		}
		for _, item := range items {
			v, err := conn.Object(ssName, item).GetProperty(ssItem + ".Attributes")
			if err != nil {
				return err
			}
			if attrs, ok := v.Value().(map[string]string); ok && attrs["service"] == service {
				users = append(users, attrs["username"])
			}
		}
		return nil
	})
	return users, err
}
