// Package agent keeps a file vault's unwrapped identity in the memory of a
// small per-user process for a while (`authdeck unlock --for 15m`), so the
// commands that follow — a script calling `authdeck token` in a loop —
// derive no key from the passphrase. The agent answers on a Unix socket
// that only its user can reach: the socket is 0600 in a 0700 directory of
// $XDG_RUNTIME_DIR, the agent refuses a peer of another uid (SO_PEERCRED),
// and the client refuses a socket or directory that another user owns or
// others may open, and an agent of another uid. The agent exits at its
// deadline or when asked (`authdeck lock`), and never writes the identity
// anywhere.
package agent

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"
)

// ErrNoAgent says no agent answers on the socket (none was started, it
// expired, or it was locked).
var ErrNoAgent = errors.New("no authdeck agent is running")

// ErrUnsafe says the socket, its directory or the process answering on it
// is not this user's alone; nothing was sent to it.
var ErrUnsafe = errors.New("unsafe agent socket")

// ErrUnsupported says this platform has no way to check a socket peer's
// user, so no agent is offered.
var ErrUnsupported = errors.New("the unlock agent needs a platform with Unix socket peer credentials (Linux)")

// MaxDuration bounds how long an agent may hold an identity.
const MaxDuration = 24 * time.Hour

const (
	// ioTimeout bounds one request and its answer.
	ioTimeout = 5 * time.Second
	// maxMessage bounds what either side reads of one message.
	maxMessage = 16 << 10
	// maxSocketPath is the longest socket path every Unix takes (macOS's
	// sun_path holds 104 bytes, Linux's 108).
	maxSocketPath = 103
)

// SocketPath returns where the agent of the workspace in home listens:
// $XDG_RUNTIME_DIR/authdeck/agent-HASH.sock, HASH naming the (absolute)
// home directory, so each workspace has its own agent.
func SocketPath(getenv func(string) string, home string) (string, error) {
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return "", fmt.Errorf("%w: XDG_RUNTIME_DIR is not set, so there is no private runtime directory for the agent's socket", ErrUnsupported)
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "authdeck", "agent-"+hex.EncodeToString(sum[:8])+".sock"), nil
}

// request is one message from a client.
type request struct {
	// Op is identity, status or lock.
	Op string `json:"op"`
	// Sum is the hex SHA-256 of the identity file whose identity is asked for.
	Sum string `json:"sum,omitempty"`
}

// response is the agent's answer.
type response struct {
	Identity string    `json:"identity,omitempty"`
	Expires  time.Time `json:"expires,omitzero"`
	Error    string    `json:"error,omitempty"`
}

// Server holds one identity until its deadline.
type Server struct {
	path     string
	ln       *net.UnixListener
	deadline time.Time
	uid      int

	mu  sync.Mutex
	id  *age.X25519Identity
	sum [32]byte

	stop     chan struct{}
	stopOnce sync.Once
}

// Listen creates the socket at path (its directory made 0700 if missing,
// the socket 0600) for an agent holding id, the identity of the identity
// file whose SHA-256 is sum, until deadline. An agent already answering
// there is an error; a stale socket of this user is replaced.
func Listen(path string, id *age.X25519Identity, sum [32]byte, deadline time.Time) (*Server, error) {
	if err := checkPeerSupport(); err != nil {
		return nil, err
	}
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the socket path %s is longer than the %d bytes a Unix socket address holds; set XDG_RUNTIME_DIR to a shorter directory", path, maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := checkOwned(dir, true); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		if err := checkOwned(path, false); err != nil {
			return nil, err
		}
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("%w: %s exists and is not a socket", ErrUnsafe, path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			_ = c.Close()
			return nil, fmt.Errorf("an agent already answers on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	// The directory is 0700, so nobody else reaches the socket before this.
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, err
	}
	ln.SetUnlinkOnClose(true)
	return &Server{path: path, ln: ln, deadline: deadline, uid: os.Getuid(), id: id, sum: sum, stop: make(chan struct{})}, nil
}

// Path returns the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers clients until the deadline or a lock request, then drops
// the identity and removes the socket.
func (s *Server) Serve() error {
	timer := time.AfterFunc(time.Until(s.deadline), s.Close)
	defer timer.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.stop:
				return nil
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.Close()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handle(conn)
		}()
	}
}

// Close ends the agent: the identity is dropped and the socket removed.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		s.mu.Lock()
		s.id, s.sum = nil, [32]byte{}
		s.mu.Unlock()
		_ = s.ln.Close()
	})
}

// handle answers one request from a peer of this user; a peer of another
// uid is disconnected unanswered.
func (s *Server) handle(conn *net.UnixConn) {
	defer conn.Close()
	uid, err := peerUID(conn)
	if err != nil || uid != s.uid {
		return
	}
	_ = conn.SetDeadline(time.Now().Add(ioTimeout))
	s.answer(conn, conn)
}

// answer reads one request from r and writes the answer to w.
func (s *Server) answer(r io.Reader, conn io.Writer) {
	var req request
	if err := readMessage(r, &req); err != nil {
		_ = writeMessage(conn, response{Error: "bad request: " + err.Error()})
		return
	}
	switch req.Op {
	case "identity":
		s.mu.Lock()
		id, sum := s.id, s.sum
		s.mu.Unlock()
		switch {
		case id == nil:
			_ = writeMessage(conn, response{Error: "locked"})
		case req.Sum != hex.EncodeToString(sum[:]):
			// Another identity file (another vault, or one re-wrapped
			// since): the client asks for the passphrase.
			_ = writeMessage(conn, response{Error: "this agent holds another identity"})
		default:
			_ = writeMessage(conn, response{Identity: id.String(), Expires: s.deadline})
		}
	case "status":
		_ = writeMessage(conn, response{Expires: s.deadline})
	case "lock":
		_ = writeMessage(conn, response{})
		s.Close()
	default:
		_ = writeMessage(conn, response{Error: fmt.Sprintf("unknown operation %q", req.Op)})
	}
}

func readMessage(r io.Reader, v any) error {
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxMessage), 4096).ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

func writeMessage(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// checkOwned refuses a path that is not this user's or that others may
// open (a directory: any group or other bit; a socket: the same).
func checkOwned(path string, dir bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	uid, ok := fileOwner(fi)
	if !ok {
		return fmt.Errorf("%w: cannot tell who owns %s", ErrUnsafe, path)
	}
	if uid != os.Getuid() {
		return fmt.Errorf("%w: %s belongs to uid %d, not to you (uid %d)", ErrUnsafe, path, uid, os.Getuid())
	}
	if dir && !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafe, path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; others may open it (want %04o)", ErrUnsafe, path, fi.Mode().Perm(), map[bool]fs.FileMode{true: 0o700, false: 0o600}[dir])
	}
	return nil
}

// dial connects to the agent at path after checking the socket and its
// directory belong to this user alone, and that the process answering runs
// as this user.
func dial(path string) (*net.UnixConn, error) {
	if err := checkPeerSupport(); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoAgent
	}
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return nil, fmt.Errorf("%w: %s is not a socket", ErrUnsafe, path)
	}
	if err := checkOwned(filepath.Dir(path), true); err != nil {
		return nil, err
	}
	if err := checkOwned(path, false); err != nil {
		return nil, err
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNoAgent
		}
		return nil, err
	}
	uid, err := peerUID(conn)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	if uid != os.Getuid() {
		_ = conn.Close()
		return nil, fmt.Errorf("%w: the process answering on %s runs as uid %d, not as you (uid %d)", ErrUnsafe, path, uid, os.Getuid())
	}
	return conn, nil
}

// call sends one request and reads the answer.
func call(path string, req request) (response, error) {
	conn, err := dial(path)
	if err != nil {
		return response{}, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(ioTimeout))
	if err := writeMessage(conn, req); err != nil {
		return response{}, err
	}
	var resp response
	if err := readMessage(conn, &resp); err != nil {
		if errors.Is(err, io.EOF) {
			// Closed unanswered: expiring, or it refused us.
			return response{}, ErrNoAgent
		}
		return response{}, fmt.Errorf("reading the agent's answer: %w", err)
	}
	return resp, nil
}

// Identity asks the agent at path for the identity of the identity file
// whose SHA-256 is sum. It returns nil, nil when the agent holds another
// identity or none.
func Identity(path string, sum [32]byte) (*age.X25519Identity, error) {
	resp, err := call(path, request{Op: "identity", Sum: hex.EncodeToString(sum[:])})
	if err != nil {
		return nil, err
	}
	if resp.Error != "" || resp.Identity == "" {
		return nil, nil
	}
	id, err := age.ParseX25519Identity(resp.Identity)
	if err != nil {
		return nil, fmt.Errorf("the agent answered with an identity that does not parse: %w", err)
	}
	return id, nil
}

// Status returns when the agent at path exits.
func Status(path string) (time.Time, error) {
	resp, err := call(path, request{Op: "status"})
	if err != nil {
		return time.Time{}, err
	}
	if resp.Error != "" {
		return time.Time{}, errors.New(resp.Error)
	}
	return resp.Expires, nil
}

// Lock asks the agent at path to drop its identity and exit; it reports
// whether one was running.
func Lock(path string) (bool, error) {
	_, err := call(path, request{Op: "lock"})
	if errors.Is(err, ErrNoAgent) {
		return false, nil
	}
	return err == nil, err
}
