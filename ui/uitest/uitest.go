// Package uitest drives Bubble Tea models in tests the way the program
// would: it sends messages, runs the returned commands on goroutines
// (expanding batches and sequences), feeds their messages back, and stops
// as soon as no command it started is at work and no message waits, or,
// while one is still at work, when the model has been quiet for a moment
// (and, when Busy is set, that command has been at work for longer than
// Busy). Timers (status expiry, clipboard clearing) simply have not fired
// by then.
package uitest

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Driver runs a model.
type Driver struct {
	t     testing.TB
	Model tea.Model
	msgs  chan tea.Msg
	mu    sync.Mutex
	seen  []tea.Msg
	// Quiet is how long no message may arrive before Settle returns.
	Quiet time.Duration
	// Limit bounds each Settle.
	Limit time.Duration
	// Filter, when set, drops messages before they reach the model (e.g. ticks).
	Filter func(tea.Msg) bool
	// Busy, when set, is how long a command still at work holds Settle
	// back after the model went quiet: a save or a validation on a loaded
	// machine can take longer than Quiet. Screens whose commands wait for a
	// browser or a server (flows) leave it zero, or every step would wait.
	// Timers (tea.Tick, tea.Every, a cursor's blink) never hold it back.
	Busy time.Duration

	nextCmd  int
	inflight map[int]time.Time // commands at work, by start time
}

// timerCode holds the code pointers of commands that only wait for a timer:
// tea's own, and others learned from the messages they return.
var timerCode = struct {
	sync.Mutex
	m map[uintptr]bool
}{m: map[uintptr]bool{
	reflect.ValueOf(tea.Tick(time.Hour, func(time.Time) tea.Msg { return nil })).Pointer():  true,
	reflect.ValueOf(tea.Every(time.Hour, func(time.Time) tea.Msg { return nil })).Pointer(): true,
}}

// isTimerMsg reports a message that only says a timer fired: a tick, or a
// text cursor's blink (or its cancellation).
func isTimerMsg(msg tea.Msg) bool {
	if IsTick(msg) {
		return true
	}
	name := reflect.TypeOf(msg).String()
	return strings.HasSuffix(name, "BlinkMsg") || strings.HasSuffix(name, ".blinkCanceled")
}

// isBlinkCanceled reports the message a text cursor's superseded blink
// timer ends with: every key typed into a field supersedes one. The cursor
// ignores it, but a huh form redraws itself for every message it gets, so
// delivering it doubled the cost of typing; the driver drops it.
func isBlinkCanceled(msg tea.Msg) bool {
	return strings.HasSuffix(reflect.TypeOf(msg).String(), ".blinkCanceled")
}

// New returns a driver for m sized w×h; it runs m.Init.
func New(t testing.TB, m tea.Model, w, h int) *Driver {
	t.Helper()
	return start(t, m, w, h, QuickBusy)
}

// QuickBusy is New's Busy: a command that ends at once (a pop, a status,
// a catalog reload) can still be waiting for a core on a loaded machine
// when Quiet has passed, and the next key would reach the wrong screen.
// Commands that wait for a browser or a server hold a step back at most
// this long; set Busy to 0 where a test must see a screen while one runs.
const QuickBusy = time.Second

// StoreBusy is how long a command still at work (a store read or write, a
// send to a loopback server) holds a step back with NewBusy: on a loaded
// machine running the race detector one can take far longer than Quiet.
const StoreBusy = 10 * time.Second

// NewBusy is New with Busy set to StoreBusy from the first settle on, for
// screens whose commands all end by themselves soon; the screen's first
// load is then done when NewBusy returns.
func NewBusy(t testing.TB, m tea.Model, w, h int) *Driver {
	t.Helper()
	return start(t, m, w, h, StoreBusy)
}

func start(t testing.TB, m tea.Model, w, h int, busy time.Duration) *Driver {
	t.Helper()
	d := &Driver{t: t, Model: m, msgs: make(chan tea.Msg, 1024), Quiet: 60 * time.Millisecond, Limit: 10 * time.Second, Busy: busy, inflight: map[int]time.Time{}}
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.dispatch(m.Init())
	d.Settle()
	return d
}

// Send delivers msg to the model and starts the command it returns.
func (d *Driver) Send(msg tea.Msg) {
	d.t.Helper()
	if d.Filter != nil && !d.Filter(msg) {
		return
	}
	d.mu.Lock()
	d.seen = append(d.seen, msg)
	d.mu.Unlock()
	var cmd tea.Cmd
	d.Model, cmd = d.Model.Update(msg)
	d.dispatch(cmd)
}

// dispatch runs cmd on a goroutine and posts its message (batches and
// sequences are expanded; a sequence keeps its order).
func (d *Driver) dispatch(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	code := reflect.ValueOf(cmd).Pointer()
	timerCode.Lock()
	timer := timerCode.m[code]
	timerCode.Unlock()
	d.mu.Lock()
	id := d.nextCmd
	d.nextCmd++
	if !timer {
		d.inflight[id] = time.Now()
	}
	d.mu.Unlock()
	go func() {
		msg := cmd()
		// Messages it leads to are posted (and their commands started)
		// before this one counts as done, so Settle sees no gap.
		d.post(msg)
		if msg != nil && isTimerMsg(msg) {
			timerCode.Lock()
			timerCode.m[code] = true
			timerCode.Unlock()
		}
		d.mu.Lock()
		delete(d.inflight, id)
		d.mu.Unlock()
	}()
}

// busy reports whether a command started less than Busy ago is still at work.
func (d *Driver) busy() bool {
	if d.Busy <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, start := range d.inflight {
		if time.Since(start) < d.Busy {
			return true
		}
	}
	return false
}

// idle reports that no command other than a timer is at work and no
// message waits. The order matters: a command posts its message before it
// stops counting as at work, so once none is, every message any of them
// will send is already queued.
func (d *Driver) idle() bool {
	d.mu.Lock()
	working := len(d.inflight)
	d.mu.Unlock()
	return working == 0 && len(d.msgs) == 0
}

func (d *Driver) post(msg tea.Msg) {
	if msg == nil || isBlinkCanceled(msg) {
		return
	}
	switch m := msg.(type) {
	case tea.BatchMsg:
		for _, c := range m {
			d.dispatch(c)
		}
		return
	}
	// tea.Sequence returns an unexported []Cmd type; run it in order.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		for i := 0; i < v.Len(); i++ {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			if c != nil {
				d.post(c())
			}
		}
		return
	}
	if fn, ok := msg.(func() tea.Msg); ok {
		d.post(fn())
		return
	}
	d.msgs <- msg
}

// Settle processes messages until none waits and no command is at work
// (only timers can send one then), or, while a command is still at work,
// until nothing but animation ticks arrives for Quiet (or Limit passes). A
// running spinner never goes quiet, so its ticks are delivered but do not
// count as activity.
func (d *Driver) Settle() {
	d.t.Helper()
	deadline := time.Now().Add(d.Limit)
	quiet := time.NewTimer(d.Quiet)
	defer quiet.Stop()
	for time.Now().Before(deadline) {
		if d.idle() {
			return
		}
		select {
		case msg := <-d.msgs:
			d.Send(msg)
			if !IsTick(msg) {
				quiet.Reset(d.Quiet)
			}
		case <-quiet.C:
			// a command that just ended may have posted its message
			// while the timer fired: select picks either
			if !d.busy() && len(d.msgs) == 0 {
				return
			}
			quiet.Reset(10 * time.Millisecond)
		}
	}
}

// IsTick reports whether msg is an animation or countdown tick.
func IsTick(msg tea.Msg) bool {
	name := reflect.TypeOf(msg).String()
	return strings.HasSuffix(name, "TickMsg") || strings.HasSuffix(name, ".tickMsg")
}

// Wait processes messages until cond holds, failing after timeout.
func (d *Driver) Wait(timeout time.Duration, what string, cond func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", timeout, what, d.Screen())
		}
		select {
		case msg := <-d.msgs:
			d.Send(msg)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Press sends key presses ("enter", "esc", "a", "ctrl+c", "tab", "up") and
// settles after each.
func (d *Driver) Press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.Send(Key(k))
		d.Settle()
	}
}

// Type sends each rune of s as a key press, then settles.
func (d *Driver) Type(s string) {
	d.t.Helper()
	for _, r := range s {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.Settle()
}

// Paste sends s as one bracketed paste, the way a terminal delivers
// pasted or dropped text, then settles. Entering a long value this way
// costs one update instead of one per rune.
func (d *Driver) Paste(s string) {
	d.t.Helper()
	d.Send(tea.PasteMsg{Content: s})
	d.Settle()
}

// Seen returns every message delivered so far.
func (d *Driver) Seen() []tea.Msg {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]tea.Msg(nil), d.seen...)
}

// Screen returns the current view without colours.
func (d *Driver) Screen() string {
	return ansi.Strip(ViewString(d.Model))
}

// ViewString returns a model's rendered content.
func ViewString(m tea.Model) string {
	return m.View().Content
}

// Key builds the key press a terminal would send for name.
func Key(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace, "space": tea.KeySpace,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete,
	}
	if mod, rest, ok := strings.Cut(name, "+"); ok && len(rest) > 0 {
		k := Key(rest)
		switch mod {
		case "ctrl":
			k.Mod |= tea.ModCtrl
		case "alt":
			k.Mod |= tea.ModAlt
		case "shift":
			k.Mod |= tea.ModShift
		}
		k.Text = ""
		return k
	}
	if r, ok := special[name]; ok {
		k := tea.KeyPressMsg{Code: r}
		if r == tea.KeySpace {
			k.Text = " "
		}
		return k
	}
	r := []rune(name)
	if len(r) == 1 {
		k := tea.KeyPressMsg{Code: r[0], Text: name}
		if r[0] >= 'A' && r[0] <= 'Z' {
			k.Code = r[0] + ('a' - 'A')
			k.ShiftedCode = r[0]
			k.Mod = tea.ModShift
		}
		return k
	}
	panic("uitest: unknown key " + name)
}
