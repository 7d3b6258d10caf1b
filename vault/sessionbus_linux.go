package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// The keychain's connection to the session bus. godbus's own handshake
// (dbus.SessionBus) spends four round trips before the bus's Hello: it asks
// for the mechanisms, starts EXTERNAL without its data, sends the data when
// asked and negotiates descriptor passing. authdeck sends EXTERNAL with the
// user ID at once, which a bus accepts in one round trip, and needs no file
// descriptors from the Secret Service. On a short command (a token from the
// keychain) those round trips are a fifth of what it waits for.
//
// Only a local Unix socket is dialled this way; any other address (TCP,
// launchd, autolaunch), or a bus that refuses the short handshake, gets
// godbus's connection.

// sessionBus keeps the process's private connection, made again when lost.
type sessionBus struct {
	mu   sync.Mutex
	conn *dbus.Conn
	// getenv reads the environment (tests replace it).
	getenv func(string) string
}

var processSessionBus = &sessionBus{getenv: os.Getenv}

// connect returns the connection, dialling it when there is none.
func (b *sessionBus) connect() (*dbus.Conn, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil && b.conn.Connected() {
		return b.conn, nil
	}
	conn, err := dialSessionBus(b.getenv)
	if err != nil {
		return nil, err
	}
	b.conn = conn
	return conn, nil
}

// dialSessionBus connects with the short handshake when the bus is a local
// Unix socket, else as godbus does.
func dialSessionBus(getenv func(string) string) (*dbus.Conn, error) {
	path, ok := sessionBusSocket(getenv)
	if !ok {
		return dbus.ConnectSessionBus()
	}
	conn, err := dialShortAuth(path)
	if err != nil {
		// A bus that wants another mechanism (or any surprise in the
		// handshake) is met the standard way.
		return dbus.ConnectSessionBus()
	}
	return conn, nil
}

// sessionBusSocket returns the Unix socket of the session bus from
// DBUS_SESSION_BUS_ADDRESS (its first unix:path= or unix:abstract= entry;
// an abstract name is returned with a leading @), or $XDG_RUNTIME_DIR/bus
// when the variable is unset, as libdbus and godbus look for it.
func sessionBusSocket(getenv func(string) string) (string, bool) {
	addr := getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		dir := getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			return "", false
		}
		p := filepath.Join(dir, "bus")
		if fi, err := os.Stat(p); err != nil || fi.Mode().Type() != os.ModeSocket {
			return "", false
		}
		return p, true
	}
	for entry := range strings.SplitSeq(addr, ";") {
		rest, ok := strings.CutPrefix(entry, "unix:")
		if !ok {
			return "", false // the bus says to try this entry first; leave it to godbus
		}
		for kv := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			v, err := url.PathUnescape(v)
			if err != nil || v == "" {
				continue
			}
			switch k {
			case "path":
				return v, true
			case "abstract":
				return "@" + v, true
			}
		}
		return "", false
	}
	return "", false
}

// busDialTimeout bounds connecting and authenticating to the session bus.
const busDialTimeout = 5 * time.Second

// dialShortAuth connects to the bus at path and authenticates with EXTERNAL
// and the user ID in the first line.
func dialShortAuth(path string) (*dbus.Conn, error) {
	raw, err := net.DialTimeout("unix", path, busDialTimeout)
	if err != nil {
		return nil, err
	}
	uid := strconv.Itoa(os.Geteuid())
	sc := &shortAuthConn{Conn: raw, uid: uid}
	conn, err := dbus.NewConn(sc)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	_ = raw.SetDeadline(time.Now().Add(busDialTimeout))
	if err := conn.Auth([]dbus.Auth{dbus.AuthExternal(uid)}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = raw.SetDeadline(time.Time{})
	return conn, nil
}

// shortAuthConn stands between godbus and the bus during the handshake.
// godbus opens with a bare AUTH to learn the mechanisms; that line is
// answered here (EXTERNAL) without a round trip. Its "AUTH EXTERNAL" then
// goes out with the user ID (the initial response), and the bus's OK is
// what godbus waits for. From BEGIN on every byte passes through.
type shortAuthConn struct {
	net.Conn
	uid string

	mu       sync.Mutex
	done     bool         // BEGIN sent: pass everything through
	nul      bool         // the NUL byte that opens the handshake is held
	answered bytes.Buffer // lines answered here, read before the socket
}

func (c *shortAuthConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	defer c.mu.Unlock()
	switch string(p) {
	case "\x00":
		c.nul = true
		return len(p), nil
	case "AUTH\r\n":
		c.answered.WriteString("REJECTED EXTERNAL\r\n")
		return len(p), nil
	case "AUTH EXTERNAL\r\n":
		out := "AUTH EXTERNAL " + hex.EncodeToString([]byte(c.uid)) + "\r\n"
		if c.nul {
			out, c.nul = "\x00"+out, false
		}
		if _, err := c.Conn.Write([]byte(out)); err != nil {
			return 0, err
		}
		return len(p), nil
	case "BEGIN\r\n":
		c.done = true
		return c.Conn.Write(p)
	default:
		// Anything else (a CANCEL, an ERROR) means the short handshake
		// went wrong: stop here, and the caller dials godbus's way.
		return 0, errShortAuth
	}
}

func (c *shortAuthConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.answered.Len() > 0 {
		defer c.mu.Unlock()
		return c.answered.Read(p)
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

var errShortAuth = errors.New("dbus: the short EXTERNAL handshake was not accepted")
