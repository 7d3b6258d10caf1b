// Package form holds the create and edit forms (huh) for secrets of every
// type, auth clients and environments. Every field validates with the
// vault's own Validate methods, so messages name the same fields as the
// CLI; secret fields are masked; saving runs in a command and leaves the
// vault unchanged when it fails (S-37).
package form

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

type state int

const (
	stateLoading state = iota
	stateEditing
	stateSaving
)

var lastTag atomic.Int64

// change is a prepared save: the function that writes and what to say.
type change struct {
	run func(ctx context.Context, v *vault.Vault) (public string, err error)
	ok  string
	// item names what the save creates or edits (the list selects it).
	item common.ItemRef
}

// spec is what a concrete form supplies to the shared screen.
type spec interface {
	// title names the form.
	title() string
	// load returns the command reading what an edit needs (nil when nothing).
	load(c *common.Common) tea.Cmd
	// loaded takes the load command's result; false when it is not one.
	loaded(msg tea.Msg) (handled bool, err error)
	// groups builds the form's pages from the draft.
	groups(c *common.Common) []*huh.Group
	// prepare checks the whole draft and returns the save.
	prepare(c *common.Common) (change, error)
}

// Model is a form screen.
type Model struct {
	c      *common.Common
	spec   spec
	keys   KeyMap
	form   *huh.Form
	state  state
	tag    string
	banner string
	width  int
	height int
}

func newModel(c *common.Common, s spec) *Model {
	return &Model{c: c, spec: s, keys: DefaultKeyMap(), tag: fmt.Sprintf("form-%d", lastTag.Add(1))}
}

// Init loads what an edit needs, or opens the form at once.
func (m *Model) Init() tea.Cmd {
	if cmd := m.spec.load(m.c); cmd != nil {
		m.state = stateLoading
		return cmd
	}
	return m.open()
}

func (m *Model) open() tea.Cmd {
	m.state = stateEditing
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+q"), key.WithDisabled())
	m.form = huh.NewForm(m.spec.groups(m.c)...).
		WithTheme(m.c.Styles.Huh()).
		WithKeyMap(km).
		WithShowHelp(false).
		WithShowErrors(true)
	m.form.SubmitCmd = nil
	m.form.CancelCmd = nil
	m.sizeForm()
	return m.form.Init()
}

func (m *Model) sizeForm() {
	if m.form == nil || m.width <= 0 {
		return
	}
	m.form.WithWidth(max(20, min(100, m.width-4)))
	m.form.WithHeight(max(5, m.height-m.chromeHeight()))
}

func (m *Model) chromeHeight() int {
	h := 2
	if m.banner != "" {
		h += lipgloss.Height(m.bannerView())
	}
	return h
}

// Title names the screen.
func (m *Model) Title() string { return m.spec.title() }

// ScreenKey identifies this form (each form is its own).
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "form", Name: m.tag} }

// Capturing is true while the form is open: its fields take letters.
func (m *Model) Capturing() bool { return m.state == stateEditing }

// WantsBack is true: esc cancels the form (the root must not pop it).
func (m *Model) WantsBack() bool { return true }

// Banner returns the error shown above the form, if any.
func (m *Model) Banner() string { return m.banner }

// Form returns the huh form (for tests).
func (m *Model) Form() *huh.Form { return m.form }

// SetSize sizes the form.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.sizeForm()
}

// RefreshStyles re-themes the form.
func (m *Model) RefreshStyles() {
	if m.form != nil {
		m.form.WithTheme(m.c.Styles.Huh())
	}
}

// ShortHelp lists cancel and the focused field's keys.
func (m *Model) ShortHelp() []key.Binding {
	b := []key.Binding{m.keys.Cancel}
	if m.form != nil && m.state == stateEditing {
		b = append(b, m.form.KeyBinds()...)
	}
	return b
}

// FullHelp lists the same bindings.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update drives the form and its save.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if m.state == stateLoading {
		if ok, err := m.spec.loaded(msg); ok {
			if err != nil {
				// Pop first: the problem is shown on the screen below.
				return tea.Sequence(common.Pop(), common.ErrorCmd(err))
			}
			return m.open()
		}
	}
	switch msg := msg.(type) {
	case common.ResultMsg:
		if msg.Tag != m.tag {
			return nil
		}
		if msg.Err != nil {
			m.banner = common.Explain(msg.Err).OneLine()
			cmd := m.open()
			if common.Explain(msg.Err).Vault {
				return tea.Batch(cmd, common.ErrorCmd(msg.Err))
			}
			return cmd
		}
		if msg.Public != "" {
			return tea.Sequence(common.Pop(), common.OpenDialog(dialogs.NewInfo(m.c, "Upload this public key to the provider", msg.Public, "public key (JWKS)")))
		}
		return common.Pop()
	case tea.KeyPressMsg:
		if m.state != stateEditing {
			return nil
		}
		if key.Matches(msg, m.keys.Cancel) {
			return common.Pop()
		}
	case tea.WindowSizeMsg:
		// sizes come through SetSize; huh would otherwise resize on its own
		return nil
	}
	if m.form == nil || m.state != stateEditing {
		return nil
	}
	errsBefore := len(m.form.Errors())
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	if len(m.form.Errors()) != errsBefore {
		// huh sizes a group's fields once, for the footer it had then: a
		// validation message appearing (or going) changes the footer, so
		// the fields are sized again or the message falls off the screen.
		m.sizeForm()
	}
	switch m.form.State {
	case huh.StateCompleted:
		return tea.Batch(cmd, m.submit())
	case huh.StateAborted:
		return common.Pop()
	case huh.StateNormal:
		// still being filled in
	}
	return cmd
}

// submit validates the whole draft; a problem reopens the form with the
// message on top, naming the field.
func (m *Model) submit() tea.Cmd {
	ch, err := m.spec.prepare(m.c)
	if err != nil {
		m.banner = err.Error()
		return m.open()
	}
	m.banner = ""
	m.state = stateSaving
	tag, run := m.tag, ch.run
	v, timeout := m.c.Vault, m.c.StoreTimeout
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		public, err := run(ctx, v)
		if err != nil {
			return common.ResultMsg{Err: err, Tag: tag}
		}
		cat, err := v.Load()
		if err != nil {
			return common.ResultMsg{Err: err, Tag: tag}
		}
		return common.ResultMsg{OK: ch.ok, Catalog: cat, Tag: tag, Public: public, Item: ch.item}
	}
}

func (m *Model) bannerView() string {
	w := max(20, min(100, m.width-4))
	return lipgloss.NewStyle().Width(w).Render(m.c.Styles.Error.Render("✗ " + m.banner))
}

// View renders the title, the error banner and the form.
func (m *Model) View() string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.DetailTitle.Render(ansi.Truncate(m.spec.title(), max(10, m.width-2), "…")))
	b.WriteString("\n")
	if m.banner != "" {
		b.WriteString(m.bannerView())
		b.WriteString("\n")
	}
	switch m.state {
	case stateLoading:
		b.WriteString(s.Muted.Render("Reading the current values from the vault…"))
	case stateSaving:
		b.WriteString(s.Muted.Render("Saving…"))
	default:
		b.WriteString(m.form.View())
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(b.String())
}
