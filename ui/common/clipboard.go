package common

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
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
}

type clipEntry struct {
	label  string
	method string
	sum    [32]byte
	// value is kept only until the copy is confirmed (for the OSC 52
	// fallback), then dropped; the clear check uses the hash.
	value string
	// reading marks an OSC 52 entry waiting for the terminal's answer.
	reading bool
}

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
	c := &Clipboard{opts: o, pending: map[int]*clipEntry{}}
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
	e := &clipEntry{label: label, sum: sha256.Sum256([]byte(value)), value: value}
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

func (c *Clipboard) viaOSC52(id int, e *clipEntry) tea.Cmd {
	e.method = MethodOSC52
	value := e.value
	e.value = ""
	return tea.Sequence(tea.SetClipboard(value), c.copiedStatus(id, e, ""))
}

func (c *Clipboard) copiedStatus(id int, e *clipEntry, note string) tea.Cmd {
	text := fmt.Sprintf("Copied %s via %s%s; clears in %s if unchanged", e.label, e.method, note, ShortDuration(c.opts.Clear))
	d := c.opts.Clear
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
		return c.copiedStatus(msg.id, e, ""), true
	case clearDueMsg:
		e, ok := c.pending[msg.id]
		if !ok {
			return nil, true
		}
		if e.method == MethodOSC52 {
			e.reading = true
			return func() tea.Msg { return tea.ReadClipboard() }, true
		}
		if c.tool == nil {
			delete(c.pending, msg.id)
			return nil, true
		}
		tool, timeout, sum, id := *c.tool, c.opts.Timeout, e.sum, msg.id
		return func() tea.Msg {
			cur, err := readTool(tool.read, timeout)
			if err != nil {
				return clearDoneMsg{id: id, err: err}
			}
			if sha256.Sum256(cur) != sum {
				return clearDoneMsg{id: id}
			}
			return clearDoneMsg{id: id, cleared: true, err: runTool(tool.write, "", timeout)}
		}, true
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
		for id, e := range c.pending {
			if !e.reading {
				continue
			}
			delete(c.pending, id)
			if sha256.Sum256([]byte(msg.Content)) == e.sum {
				return tea.Batch(tea.SetClipboard(""), Status(StatusInfo, "Cleared "+e.label+" from the terminal clipboard (OSC 52)")), true
			}
		}
		return nil, true
	}
	return nil, false
}

// Pending reports how many copies still wait to be cleared (for tests).
func (c *Clipboard) Pending() int { return len(c.pending) }

// toolEnv is the environment of clipboard tools: the process's own minus
// anything that could carry a secret (S-33).
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AUTHDECK_PASSPHRASE=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runTool runs argv with value on stdin (never in argv: S-33).
func runTool(argv []string, value string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) //nolint:gosec // argv is one of the fixed clipboard tools (pbcopy, wl-copy, xclip, xsel, clip.exe) found on PATH
	cmd.Env = toolEnv()
	cmd.Stdin = strings.NewReader(value)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
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
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) //nolint:gosec // argv is one of the fixed clipboard tools found on PATH
	cmd.Env = toolEnv()
	out, err := cmd.Output()
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
