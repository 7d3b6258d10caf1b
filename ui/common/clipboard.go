package common

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/vault"
)

// DefaultClipboardClear is how long a copied secret stays on the clipboard (S-31).
const DefaultClipboardClear = 45 * time.Second

// Clipboard methods, as the status line names them (S-31: OSC 52 copies are
// labelled as such).
const (
	MethodOSC52 = "OSC 52 (terminal clipboard)"
)

// ClipboardOptions configure a Clipboard.
type ClipboardOptions struct {
	// Mode is "auto" (system clipboard locally, OSC 52 over SSH or when no
	// system tool works), "system" or "osc52". Empty means auto.
	Mode string
	// Remote says the session runs over SSH.
	Remote bool
	// Clear is how long a copy stays before it is cleared; zero means 45 s.
	Clear time.Duration
	// Getenv reads the environment (DISPLAY, WAYLAND_DISPLAY); nil means os.Getenv.
	Getenv func(string) string
	// LookPath finds tools; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Timeout bounds each clipboard tool run; zero means 2 s.
	Timeout time.Duration
	// ReadWait is how long the terminal has to answer an OSC 52 read; zero
	// means 1 s.
	ReadWait time.Duration
}

// clipTool is a pair of commands that write and read the system clipboard.
type clipTool struct {
	name  string
	write []string
	read  []string
}

// Clipboard copies values to the system clipboard or through OSC 52, and
// clears them after a while if the clipboard still holds them. Its methods
// are called from the root model's Update only; the IO runs in commands.
type Clipboard struct {
	opts    ClipboardOptions
	tool    *clipTool
	nextID  int
	pending map[int]*clipEntry
	// reads says whether the terminal answers OSC 52 reads (tmux and many
	// terminals never do), which decides how an OSC 52 copy is cleared.
	reads osc52Reads
	// probe is the id of the copy whose read-back is the probe of reads.
	probe int
	// now is the clock (tests replace it).
	now func() time.Time
}

type clipEntry struct {
	label  string
	method string
	sum    [32]byte
	// at is when the copy was asked for: the clear is due Clear after it,
	// however long the tool took.
	at time.Time
	// value is kept only until the copy is confirmed (for the OSC 52
	// fallback), then dropped; the clear check uses the hash.
	value string
	// reading marks an OSC 52 entry waiting for the terminal's answer.
	reading bool
}

// osc52Reads is what is known of the terminal's answer to OSC 52 reads.
type osc52Reads int

const (
	readsUnknown osc52Reads = iota // not asked yet, or no answer so far
	readsWork                      // the terminal answered a read
)

// NewClipboard finds a clipboard tool (wl-copy, xclip, xsel, pbcopy, clip.exe)
// without running anything.
func NewClipboard(o ClipboardOptions) *Clipboard {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Clear <= 0 {
		o.Clear = DefaultClipboardClear
	}
	if o.ReadWait <= 0 {
		o.ReadWait = time.Second
	}
	c := &Clipboard{opts: o, pending: map[int]*clipEntry{}, now: time.Now}
	if o.Mode != "osc52" && !(o.Remote && o.Mode != "system") {
		c.tool = findTool(o)
	}
	return c
}

func findTool(o ClipboardOptions) *clipTool {
	// have resolves every program of argv lists to its path, so the tool
	// that runs is the one that was found.
	have := func(lists ...[]string) bool {
		for _, argv := range lists {
			p, err := o.LookPath(argv[0])
			if err != nil {
				return false
			}
			argv[0] = p
		}
		return true
	}
	try := func(name string, write, read []string) *clipTool {
		if have(write, read) {
			return &clipTool{name: name, write: write, read: read}
		}
		return nil
	}
	var t *clipTool
	switch runtime.GOOS {
	case "darwin":
		t = try("pbcopy", []string{"pbcopy"}, []string{"pbpaste"})
	case "windows":
		t = try("clip.exe", []string{"clip.exe"}, []string{"powershell.exe", "-NoProfile", "-Command", "Get-Clipboard"})
	}
	if t == nil && o.Getenv("WAYLAND_DISPLAY") != "" {
		t = try("wl-copy", []string{"wl-copy"}, []string{"wl-paste", "--no-newline"})
	}
	if t == nil && o.Getenv("DISPLAY") != "" {
		t = try("xclip", []string{"xclip", "-in", "-selection", "clipboard"}, []string{"xclip", "-out", "-selection", "clipboard"})
		if t == nil {
			t = try("xsel", []string{"xsel", "--input", "--clipboard"}, []string{"xsel", "--output", "--clipboard"})
		}
	}
	return t
}

// ClearAfter is how long copies stay on the clipboard.
func (c *Clipboard) ClearAfter() time.Duration { return c.opts.Clear }

// SetClearAfter changes how long copies stay (from the user's settings).
func (c *Clipboard) SetClearAfter(d time.Duration) {
	if d <= 0 {
		d = DefaultClipboardClear
	}
	c.opts.Clear = d
}

// Method names how the next copy will be made.
func (c *Clipboard) Method() string {
	if c.tool != nil {
		return "system clipboard (" + c.tool.name + ")"
	}
	return MethodOSC52
}

// copyDoneMsg reports the end of a system clipboard write.
type copyDoneMsg struct {
	id  int
	err error
}

// clearDueMsg fires when a copy's time on the clipboard is up.
type clearDueMsg struct{ id int }

// readTimeoutMsg ends the wait for the terminal's answer to an OSC 52 read.
type readTimeoutMsg struct{ id int }

// clearDoneMsg reports the outcome of a system clipboard clear.
type clearDoneMsg struct {
	id      int
	cleared bool
	err     error
}

// Copy starts copying value and returns the commands to run.
func (c *Clipboard) Copy(label, value string) tea.Cmd {
	c.nextID++
	id := c.nextID
	e := &clipEntry{label: label, sum: sha256.Sum256([]byte(value)), value: value, at: c.now()}
	c.pending[id] = e
	if c.tool != nil {
		e.method = c.Method()
		tool, timeout := *c.tool, c.opts.Timeout
		return func() tea.Msg {
			return copyDoneMsg{id: id, err: runTool(tool.write, value, timeout)}
		}
	}
	return c.viaOSC52(id, e)
}

// viaOSC52 copies through the terminal. Until the terminal has answered a
// read, the copy is cleared by overwriting it when its time is up, since
// nothing can tell whether the user copied something else meanwhile; the
// status says so (S-43). The first copy also asks for the clipboard back, to
// learn whether this terminal answers.
func (c *Clipboard) viaOSC52(id int, e *clipEntry) tea.Cmd {
	e.method = MethodOSC52
	value := e.value
	e.value = ""
	cmds := []tea.Cmd{tea.SetClipboard(value)}
	if c.reads == readsUnknown && c.probe == 0 {
		c.probe = id
		cmds = append(cmds, func() tea.Msg { return tea.ReadClipboard() })
	}
	return tea.Sequence(append(cmds, c.copiedStatus(id, e))...)
}

// copiedStatus says what was copied, how, and what will happen to it, and
// starts the timer (from the copy, not from the tool's end).
func (c *Clipboard) copiedStatus(id int, e *clipEntry) tea.Cmd {
	var what string
	switch {
	case e.method != MethodOSC52, c.reads == readsWork:
		what = "clears in " + ShortDuration(c.opts.Clear) + " if unchanged"
	default:
		what = "clears in " + ShortDuration(c.opts.Clear) + " (by overwriting, if the terminal can't report what it holds)"
	}
	text := fmt.Sprintf("Copied %s via %s; %s", e.label, e.method, what)
	d := max(c.opts.Clear-c.now().Sub(e.at), 0)
	return tea.Batch(
		Status(StatusSuccess, text),
		tea.Tick(d, func(time.Time) tea.Msg { return clearDueMsg{id: id} }),
	)
}

// Update handles the clipboard's own messages; handled is false for others.
func (c *Clipboard) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case copyDoneMsg:
		e, ok := c.pending[msg.id]
		if !ok {
			return nil, true
		}
		if msg.err != nil {
			// The tool failed (no display, no clipboard owner): fall back to
			// OSC 52 and say so.
			c.tool = nil
			return c.viaOSC52(msg.id, e), true
		}
		e.value = ""
		return c.copiedStatus(msg.id, e), true
	case clearDueMsg:
		return c.clearDue(msg.id), true
	case readTimeoutMsg:
		e, ok := c.pending[msg.id]
		if !ok || !e.reading {
			return nil, true
		}
		// No answer: the terminal does not report its clipboard, so the
		// copy is overwritten, as the status said when it was made.
		delete(c.pending, msg.id)
		return tea.Batch(tea.SetClipboard(""), Status(StatusInfo, "Overwrote the terminal clipboard (OSC 52) to clear "+e.label)), true
	case clearDoneMsg:
		e, ok := c.pending[msg.id]
		delete(c.pending, msg.id)
		if !ok {
			return nil, true
		}
		switch {
		case msg.err != nil:
			return Status(StatusWarning, "Could not check the clipboard to clear "+e.label+": "+msg.err.Error()), true
		case msg.cleared:
			return Status(StatusInfo, "Cleared "+e.label+" from the clipboard"), true
		}
		return nil, true
	case tea.ClipboardMsg:
		return c.readAnswer(msg.Content), true
	}
	return nil, false
}

// clearDue starts clearing copy id: a system clipboard is read and cleared
// if it still holds the copy; an OSC 52 copy asks the terminal first and is
// overwritten when no answer comes.
func (c *Clipboard) clearDue(id int) tea.Cmd {
	e, ok := c.pending[id]
	if !ok {
		return nil
	}
	if e.method == MethodOSC52 {
		e.reading = true
		return tea.Batch(
			func() tea.Msg { return tea.ReadClipboard() },
			tea.Tick(c.opts.ReadWait, func(time.Time) tea.Msg { return readTimeoutMsg{id: id} }),
		)
	}
	if c.tool == nil {
		delete(c.pending, id)
		return nil
	}
	tool, timeout, sum := *c.tool, c.opts.Timeout, e.sum
	return func() tea.Msg {
		cleared, err := clearIfOurs(tool, timeout, sum)
		return clearDoneMsg{id: id, cleared: cleared, err: err}
	}
}

// readAnswer takes the terminal's answer to an OSC 52 read: the probe's
// answer proves reads work; a copy waiting to be cleared is cleared if the
// clipboard still holds it and left alone if the user copied something else.
func (c *Clipboard) readAnswer(content string) tea.Cmd {
	c.reads = readsWork
	sum := sha256.Sum256([]byte(content))
	for id, e := range c.pending {
		if !e.reading {
			continue
		}
		delete(c.pending, id)
		if sum == e.sum {
			return tea.Batch(tea.SetClipboard(""), Status(StatusInfo, "Cleared "+e.label+" from the terminal clipboard (OSC 52)"))
		}
		return nil
	}
	return nil
}

// ClearPending clears, before the program ends, every copy still waiting to
// be cleared (S-43): a system clipboard that still holds one is emptied; an
// OSC 52 copy is overwritten by writing the sequence to out (the terminal
// cannot be asked once the program is leaving). It returns how many copies it
// cleared.
func (c *Clipboard) ClearPending(out io.Writer) int {
	n := 0
	osc := false
	for id, e := range c.pending {
		delete(c.pending, id)
		if e.method == MethodOSC52 {
			osc = true
			continue
		}
		if c.tool != nil {
			if cleared, err := clearIfOurs(*c.tool, c.opts.Timeout, e.sum); err == nil && cleared {
				n++
			}
		}
	}
	if osc && out != nil {
		if _, err := io.WriteString(out, ansi.SetSystemClipboard("")); err == nil {
			n++
		}
	}
	return n
}

// clearIfOurs empties the system clipboard if it still holds the value
// whose hash is sum.
func clearIfOurs(tool clipTool, timeout time.Duration, sum [32]byte) (bool, error) {
	cur, err := readTool(tool.read, timeout)
	if err != nil {
		return false, err
	}
	if sha256.Sum256(cur) != sum {
		return false, nil
	}
	return true, runTool(tool.write, "", timeout)
}

// Pending reports how many copies still wait to be cleared (for tests).
func (c *Clipboard) Pending() int { return len(c.pending) }

// toolWaitDelay bounds the wait for a clipboard tool's output once it has
// exited. xclip and xsel fork a child that owns the selection until another
// program takes it, and the child inherits the tool's stderr: without a
// bound, a copy would only "finish" when the user copies something else.
const toolWaitDelay = 100 * time.Millisecond

// command prepares a clipboard tool run: an environment without the vault
// passphrase (S-33) and a bounded wait for output pipes a forked selection
// owner keeps open.
func command(ctx context.Context, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) //nolint:gosec // argv is one of the fixed clipboard tools (pbcopy, wl-copy, xclip, xsel, clip.exe) found on PATH
	cmd.Env = vault.ChildEnv(os.Environ())
	cmd.WaitDelay = toolWaitDelay
	return cmd
}

// runTool runs argv with value on stdin (never in argv: S-33).
func runTool(argv []string, value string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := command(ctx, argv)
	cmd.Stdin = strings.NewReader(value)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		// The tool exited successfully; only its forked selection owner
		// still holds the pipe.
		err = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s did not finish in %s", argv[0], timeout)
		}
		return fmt.Errorf("%s: %v %s", argv[0], err, firstLine(stderr.String()))
	}
	return nil
}

func readTool(argv []string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := command(ctx, argv).Output()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s did not finish in %s", argv[0], timeout)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%s: %v %s", argv[0], err, firstLine(string(ee.Stderr)))
		}
		return nil, err
	}
	return out, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
