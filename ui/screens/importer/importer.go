// Package importer imports a secret-service JSON file (secrets and auth
// clients) into an environment: choose the file, read the
// report of what goes where (values to the vault, metadata to the catalog,
// what is skipped and why, every problem with its line and column), then
// import all of it or nothing (S-37).
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// MaxFileSize bounds the file read for an import.
const MaxFileSize = 5 << 20

type phase int

const (
	choosing phase = iota
	parsing
	reporting
	importing
)

type parsedMsg struct {
	seq   int
	batch vault.Batch
	notes []interchange.Note
	err   error
}

// Model is the import screen.
type Model struct {
	c      *common.Common
	keys   KeyMap
	env    string
	path   string
	method string
	form   *huh.Form
	phase  phase
	seq    int
	batch  vault.Batch
	notes  []interchange.Note
	err    error
	vp     viewport.Model
	tag    string
	width  int
	height int
}

// New returns the import screen for env.
func New(c *common.Common, env string) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), env: env, tag: "import-" + env}
	m.vp = viewport.New()
	return m
}

// Init opens the file form.
func (m *Model) Init() tea.Cmd { return m.open() }

func (m *Model) open() tea.Cmd {
	m.phase = choosing
	methods := []huh.Option[string]{huh.NewOption("the file says (or has no OAuth clients)", "")}
	for _, am := range vault.AuthMethods {
		methods = append(methods, huh.NewOption(string(am), string(am)))
	}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+q"), key.WithDisabled())
	m.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("path").Title("Secret-service JSON file").Description("one {\"data\": {…}} item, a bare object, or an array of them").
			Placeholder("~/exports/secrets.json").Value(&m.path).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("name the file to import")
			}
			return nil
		}),
		huh.NewSelect[string]().Key("method").Title("Client authentication of imported OAuth clients").
			Description("the format has no such field, and it is never guessed").Options(methods...).Value(&m.method),
	).Title("Import into " + m.env)).WithTheme(m.c.Styles.Huh()).WithKeyMap(km).WithShowHelp(false)
	m.form.WithWidth(max(20, min(100, m.width-4)))
	return m.form.Init()
}

// Title names the screen.
func (m *Model) Title() string { return "import" }

// ScreenKey identifies the screen by the environment it imports into.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "import", Env: m.env} }

// Capturing is true while the file form is open.
func (m *Model) Capturing() bool { return m.phase == choosing }

// WantsBack is true: esc cancels here.
func (m *Model) WantsBack() bool { return true }

// Notes returns the report of the parsed file.
func (m *Model) Notes() []interchange.Note { return m.notes }

// Err returns the parse error.
func (m *Model) Err() error { return m.err }

// SetSize sizes the form and the report.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.form != nil {
		m.form.WithWidth(max(20, min(100, w-4)))
	}
	m.vp.SetWidth(max(10, w-4))
	m.vp.SetHeight(max(3, h-4))
}

// RefreshStyles re-themes the form.
func (m *Model) RefreshStyles() {
	if m.form != nil {
		m.form.WithTheme(m.c.Styles.Huh())
	}
}

// KeyMap returns the bindings that apply.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	k.Import.SetEnabled(m.phase == reporting && m.err == nil && !m.batch.Empty())
	k.Edit.SetEnabled(m.phase == reporting)
	k.Up.SetEnabled(m.phase == reporting)
	k.Down.SetEnabled(m.phase == reporting)
	return k
}

// ShortHelp lists the bindings.
func (m *Model) ShortHelp() []key.Binding {
	if m.phase == choosing && m.form != nil {
		return append([]key.Binding{m.keys.Cancel}, m.form.KeyBinds()...)
	}
	k := m.KeyMap()
	return []key.Binding{k.Import, k.Edit, k.Up, k.Down, k.Cancel}
}

// FullHelp lists the bindings.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update drives the form, the parse and the import.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case parsedMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.phase, m.batch, m.notes, m.err = reporting, msg.batch, msg.notes, msg.err
		m.vp.SetContent(m.report())
		m.vp.GotoTop()
		return nil
	case common.ResultMsg:
		if msg.Tag != m.tag {
			return nil
		}
		if msg.Err != nil {
			m.phase, m.err = reporting, msg.Err
			m.vp.SetContent(m.report())
			return nil
		}
		return common.Pop()
	case tea.WindowSizeMsg:
		return nil
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Cancel) {
			return common.Pop()
		}
		if m.phase == reporting {
			k := m.KeyMap()
			switch {
			case key.Matches(msg, k.Import):
				return m.apply()
			case key.Matches(msg, k.Edit):
				return m.open()
			case key.Matches(msg, k.Up, k.Down):
				var cmd tea.Cmd
				m.vp, cmd = m.vp.Update(msg)
				return cmd
			}
			return nil
		}
	}
	if m.phase != choosing || m.form == nil {
		return nil
	}
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	if m.form.State == huh.StateCompleted {
		return tea.Batch(cmd, m.parse())
	}
	return cmd
}

// parse reads and checks the file in a command; nothing is stored yet.
func (m *Model) parse() tea.Cmd {
	m.phase = parsing
	m.seq++
	seq, env, cat := m.seq, m.env, m.c.Catalog
	path := expandHome(strings.TrimSpace(m.path))
	method := vault.AuthMethod(m.method)
	return func() tea.Msg {
		data, err := readFile(path)
		if err != nil {
			return parsedMsg{seq: seq, err: err}
		}
		b, notes, err := interchange.ParseSecretService(data, interchange.SecretServiceOptions{Env: env, AuthMethod: method, Catalog: cat})
		return parsedMsg{seq: seq, batch: b, notes: notes, err: err}
	}
}

func (m *Model) apply() tea.Cmd {
	m.phase = importing
	b, n := m.batch, len(m.batch.Clients)+len(m.batch.Secrets)
	return common.ChangeCmd(m.c.Vault, m.c.StoreTimeout, m.tag, fmt.Sprintf("Imported %s into %s", common.Plural(n, "item", "items"), m.env),
		func(ctx context.Context, v *vault.Vault) error {
			_, err := v.Apply(ctx, b)
			return err
		})
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB; that is not a secret-service export", path, MaxFileSize>>20)
	}
	return data, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if h, err := os.UserHomeDir(); err == nil {
			return h + "/" + rest
		}
	}
	return p
}

// report renders what the import will do, or why it cannot.
func (m *Model) report() string {
	s := m.c.Styles
	w := max(20, m.width-6)
	wrap := lipgloss.NewStyle().Width(w)
	var lines []string
	var ie *interchange.ImportError
	switch {
	case errors.As(m.err, &ie):
		lines = append(lines, s.ErrorTitle.Render(fmt.Sprintf("✗ Nothing can be imported: %s", common.Plural(len(ie.Problems), "problem", "problems"))), "")
		for _, p := range ie.Problems {
			lines = append(lines, wrap.Render(s.Error.Render("• ")+s.Text.Render(p.String())))
		}
	case m.err != nil:
		p := common.Explain(m.err)
		lines = append(lines, s.ErrorTitle.Render("✗ "+p.Reason), wrap.Render(s.Text.Render(p.Detail)), wrap.Render(s.Muted.Render(p.Next)))
	default:
		n := len(m.batch.Clients) + len(m.batch.Secrets)
		lines = append(lines, s.Success.Render(fmt.Sprintf("Ready to import %s into %s", common.Plural(n, "item", "items"), m.env)),
			s.Muted.Render("Values go to the "+m.c.BackendLabel()+" vault, names and settings to the catalog. enter imports all of it, or nothing on any error."), "")
		for _, n := range m.notes {
			st := s.Text
			switch n.Kind {
			case interchange.NoteSkipped:
				st = s.Muted
			case interchange.NoteWarning:
				st = s.Warning
			case interchange.NoteCreated, interchange.NoteStored:
				// shown in the preview
			}
			lines = append(lines, wrap.Render(st.Render("• "+n.String())))
		}
	}
	return strings.Join(lines, "\n")
}

// View renders the current phase.
func (m *Model) View() string {
	s := m.c.Styles
	var body string
	switch m.phase {
	case choosing:
		body = m.form.View()
	case parsing:
		body = s.Muted.Render("Reading the file…")
	case importing:
		body = s.Muted.Render("Importing…")
	default:
		body = s.DetailTitle.Render("Import into "+m.env) + "\n" + m.vp.View()
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(body)
}
