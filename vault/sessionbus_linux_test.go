package vault

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

func TestSessionBusSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	for _, tc := range []struct {
		name, addr, runtime string
		want                string
		ok                  bool
	}{
		{"path", "unix:path=/run/user/1000/bus", "", "/run/user/1000/bus", true},
		{"path with guid", "unix:path=/tmp/dbus-abc,guid=0123456789abcdef", "", "/tmp/dbus-abc", true},
		{"escaped path", "unix:path=/tmp/a%20b", "", "/tmp/a b", true},
		{"abstract", "unix:abstract=/tmp/dbus-XYZ,guid=01", "", "@/tmp/dbus-XYZ", true},
		{"tcp first", "tcp:host=127.0.0.1,port=4000;unix:path=/tmp/x", "", "", false},
		{"unix dir", "unix:dir=/tmp", "", "", false},
		{"autolaunch", "autolaunch:", "", "", false},
		{"unset, runtime dir bus", "", dir, sock, true},
		{"unset, no bus in runtime dir", "", t.TempDir(), "", false},
		{"nothing", "", "", "", false},
	} {
		env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": tc.addr, "XDG_RUNTIME_DIR": tc.runtime}
		got, ok := sessionBusSocket(func(k string) string { return env[k] })
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: sessionBusSocket = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// fakeBus is a session bus on a Unix socket that speaks just enough of
// the protocol for a connection to start: the authentication lines, then
// the reply to Hello. It records the handshake lines it received.
type fakeBus struct {
	path  string
	lines chan []string // each connection's handshake, in order
	// acceptShort says whether "AUTH EXTERNAL <id>" is accepted as the
	// first line (a bus that only takes the long handshake says REJECTED).
	acceptShort bool
}

func startFakeBus(t *testing.T, acceptShort bool) *fakeBus {
	t.Helper()
	b := &fakeBus{path: filepath.Join(t.TempDir(), "bus"), lines: make(chan []string, 4), acceptShort: acceptShort}
	l, err := net.Listen("unix", b.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go b.serve(c)
		}
	}()
	return b
}

func (b *fakeBus) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	var got []string
	defer func() { b.lines <- got }()
	nul, err := r.ReadByte()
	if err != nil || nul != 0 {
		return
	}
	uid := hex.EncodeToString([]byte(strconv.Itoa(os.Geteuid())))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\r\n")
		got = append(got, line)
		var reply string
		switch line {
		case "AUTH":
			reply = "REJECTED EXTERNAL"
		case "AUTH EXTERNAL":
			reply = "DATA"
		case "DATA", "AUTH EXTERNAL " + uid:
			if line != "DATA" && !b.acceptShort {
				reply = "REJECTED EXTERNAL"
				break
			}
			reply = "OK 0123456789abcdef0123456789abcdef"
		case "NEGOTIATE_UNIX_FD":
			reply = "AGREE_UNIX_FD"
		case "BEGIN":
			b.answerHello(r, c)
			return
		default:
			reply = "ERROR"
		}
		if _, err := io.WriteString(c, reply+"\r\n"); err != nil {
			return
		}
	}
}

// answerHello reads the Hello call and replies with a unique name, then
// waits for the client to hang up.
func (b *fakeBus) answerHello(r io.Reader, w io.Writer) {
	msg, err := dbus.DecodeMessage(r)
	if err != nil {
		return
	}
	reply := &dbus.Message{
		Type: dbus.TypeMethodReply,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldReplySerial: dbus.MakeVariant(msg.Serial()),
			dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf("")),
			dbus.FieldSender:      dbus.MakeVariant("org.freedesktop.DBus"),
		},
		Body: []any{":1.42"},
	}
	if err := reply.EncodeTo(w, binary.LittleEndian); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, r)
}

func (b *fakeBus) handshake(t *testing.T) []string {
	t.Helper()
	select {
	case l := <-b.lines:
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("the fake bus saw no connection end")
		return nil
	}
}

// The keychain authenticates in one round trip: its first line carries the
// EXTERNAL mechanism with the user ID, and the bus's OK is followed by
// BEGIN, with no mechanism listing, no DATA exchange and no descriptor
// negotiation.
func TestShortAuthHandshake(t *testing.T) {
	t.Parallel()
	bus := startFakeBus(t, true)
	env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + bus.path + ",guid=0123456789abcdef0123456789abcdef"}
	conn, err := dialSessionBus(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	names := conn.Names()
	_ = conn.Close()
	uid := hex.EncodeToString([]byte(strconv.Itoa(os.Geteuid())))
	want := []string{"AUTH EXTERNAL " + uid, "BEGIN"}
	if got := bus.handshake(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("handshake lines %q, want %q", got, want)
	}
	if len(names) == 0 || names[0] != ":1.42" {
		t.Errorf("connection names %q, want the unique name from Hello first", names)
	}
}

// A bus that refuses the short handshake is met with godbus's own, on a
// new connection.
func TestShortAuthFallsBack(t *testing.T) {
	bus := startFakeBus(t, false)
	addr := "unix:path=" + bus.path
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	conn, err := dialSessionBus(func(k string) string {
		if k == "DBUS_SESSION_BUS_ADDRESS" {
			return addr
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	uid := hex.EncodeToString([]byte(strconv.Itoa(os.Geteuid())))
	// The two connections may end in either order.
	short, long := bus.handshake(t), bus.handshake(t)
	if len(short) > 0 && short[0] == "AUTH" {
		short, long = long, short
	}
	if fmt.Sprint(short) != fmt.Sprint([]string{"AUTH EXTERNAL " + uid}) {
		t.Errorf("first connection's handshake %q, want the short line, refused", short)
	}
	if len(long) == 0 || long[0] != "AUTH" || long[len(long)-1] != "BEGIN" {
		t.Errorf("second connection's handshake %q, want godbus's (AUTH … BEGIN)", long)
	}
}

// shortAuthConn refuses lines it does not expect during the handshake,
// so a surprise never passes for success.
func TestShortAuthConnRefusesSurprises(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &shortAuthConn{Conn: a, uid: "1000"}
	if _, err := c.Write([]byte("CANCEL\r\n")); !errors.Is(err, errShortAuth) {
		t.Errorf("CANCEL during the handshake: %v, want errShortAuth", err)
	}
}

// Against the real bus and Secret Service: the process's connection is the
// short one, and the keychain works over it.
func TestShortAuthRealBus(t *testing.T) {
	requireSecretServiceInternal(t)
	path, ok := sessionBusSocket(os.Getenv)
	if !ok {
		t.Skip("the session bus is not on a Unix socket")
	}
	conn, err := dialShortAuth(path)
	if err != nil {
		t.Fatalf("the session bus refused the short handshake: %v", err)
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, ssName).Store(&has); err != nil || !has {
		t.Fatalf("NameHasOwner(%s) = %v, %v over the short connection", ssName, has, err)
	}
	k := &secretServiceKeyring{connect: func() (*dbus.Conn, error) { return conn, nil }}
	service := "authdeck-shortauth-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := k.Set(service, "u", "v-1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(service, "u") })
	if got, err := k.Get(service, "u"); err != nil || got != "v-1" {
		t.Errorf("Get = %q, %v; want the value set", got, err)
	}
}
