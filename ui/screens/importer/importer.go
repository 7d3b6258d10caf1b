// Package importer imports a file into an environment from the TUI, in
// every format `authdeck import` reads (Postman collections and
// environments, curl command lines, .http files with their environment
// files, OpenAPI, Insomnia, Bruno collections) and secret-service JSON:
// choose the file or folder and its format (detected unless chosen), read
// the same report as the CLI's (values to the vault, metadata to the
// catalog, what is skipped and why, every problem with its file, line and
// column), then import all of it or nothing (S-37). Afterwards the first
// imported item is selected.
package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
const MaxFileSize = interchange.MaxImportFile

type phase int

const (
	choosing phase = iota
	parsing
	reporting
	importing
)

type parsedMsg struct {
	seq    int
	format interchange.Format
	plan   *interchange.ImportPlan
	source string
	err    error
}

// Model is the import screen.
type Model struct {
	c      *common.Common
	keys   KeyMap
	env    string
	path   string
	format string
	method string
	form   *huh.Form
	phase  phase
	seq    int
	// detected is the format of the last file read (chosen or detected).
	detected interchange.Format
	source   string
	plan     *interchange.ImportPlan
	err      error
	vp       viewport.Model
	tag      string
	width    int
	height   int
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
	formats := []huh.Option[string]{huh.NewOption("detect from the file", "")}
	for _, f := range interchange.Formats {
		formats = append(formats, huh.NewOption(f.Label(), string(f)))
	}
	methods := []huh.Option[string]{huh.NewOption("the file says (or has no OAuth clients)", "")}
	for _, am := range vault.AuthMethods {
		methods = append(methods, huh.NewOption(string(am), string(am)))
	}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+q"), key.WithDisabled())
	m.form = huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Key("path").Title("File or folder").
				Description("a Postman, curl, .http, OpenAPI, Insomnia or secret-service file, or a Bruno collection's folder; ~ is your home").
				Placeholder("~/Downloads/api.postman_collection.json").Value(&m.path).Validate(validPath),
			huh.NewSelect[string]().Key("format").Title("Format").Options(formats...).Value(&m.format),
		),
		huh.NewGroup(
			huh.NewSelect[string]().Key("method").Title("Client authentication of imported OAuth clients").
				Description("secret-service JSON has no such field, and it is never guessed").Options(methods...).Value(&m.method),
		).WithHideFunc(func() bool { return !m.secretService() }),
	).WithTheme(m.c.Styles.Huh()).WithKeyMap(km).WithShowHelp(false)
	m.form.WithWidth(m.formWidth())
	return m.form.Init()
}

func validPath(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("name the file or folder to import")
	}
	return nil
}

// secretService says the file is imported as secret-service JSON: chosen,
// or (format detected) found so when it was last read.
func (m *Model) secretService() bool {
	f := interchange.Format(m.format)
	return f == interchange.FormatSecretService || (f == "" && m.detected == interchange.FormatSecretService)
}

func (m *Model) formWidth() int { return max(20, min(100, m.width-4)) }

// Title names the screen.
func (m *Model) Title() string { return "import" }

// ScreenKey identifies the screen by the environment it imports into.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "import", Env: m.env} }

// Capturing is true while the file form is open.
func (m *Model) Capturing() bool { return m.phase == choosing }

// WantsBack is true: esc cancels here.
func (m *Model) WantsBack() bool { return true }

// Notes returns the report of the parsed file.
func (m *Model) Notes() []interchange.Note {
	if m.plan == nil {
		return nil
	}
	return m.plan.Notes
}

// Plan returns the parsed import (nil before a parse, or when it failed).
func (m *Model) Plan() *interchange.ImportPlan { return m.plan }

// Format returns the format of the file last read.
func (m *Model) Format() interchange.Format { return m.detected }

// Err returns the parse (or import) error.
func (m *Model) Err() error { return m.err }

// Reporting is true while the report is shown.
func (m *Model) Reporting() bool { return m.phase == reporting }

// SetSize sizes the form and the report.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.form != nil {
		m.form.WithWidth(m.formWidth())
	}
	m.vp.SetWidth(max(10, w-2))
	m.vp.SetHeight(max(3, h-2))
	if m.phase == reporting {
		m.vp.SetContent(m.report())
	}
}

// RefreshStyles re-themes the form and the report.
func (m *Model) RefreshStyles() {
	if m.form != nil {
		m.form.WithTheme(m.c.Styles.Huh())
	}
	if m.phase == reporting {
		m.vp.SetContent(m.report())
	}
}

// ready says the report can be imported.
func (m *Model) ready() bool {
	return m.phase == reporting && m.err == nil && m.plan != nil && !m.plan.Batch.Empty()
}

// KeyMap returns the bindings that apply.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	k.Import.SetEnabled(m.ready())
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
		return m.parsed(msg)
	case common.ResultMsg:
		return m.result(msg)
	case tea.WindowSizeMsg:
		return nil
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Cancel) {
			return common.Pop()
		}
		if m.phase != choosing {
			return m.reportKey(msg)
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

func (m *Model) parsed(msg parsedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	m.phase, m.detected, m.plan, m.source, m.err = reporting, msg.format, msg.plan, msg.source, msg.err
	m.vp.SetContent(m.report())
	m.vp.GotoTop()
	return nil
}

func (m *Model) result(msg common.ResultMsg) tea.Cmd {
	if msg.Tag != m.tag {
		return nil
	}
	if msg.Err != nil {
		m.phase, m.err = reporting, msg.Err
		m.vp.SetContent(m.report())
		m.vp.GotoTop()
		return nil
	}
	return common.Pop()
}

func (m *Model) reportKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.phase != reporting {
		return nil
	}
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

// parse reads the file and plans the import in a command; nothing is
// stored yet.
func (m *Model) parse() tea.Cmd {
	m.phase = parsing
	m.seq++
	seq, v, cat, timeout := m.seq, m.c.Vault, m.c.Catalog, m.c.StoreTimeout
	path := expandHome(strings.TrimSpace(m.path))
	in := interchange.ImportInput{Format: interchange.Format(m.format), AuthMethod: vault.AuthMethod(m.method)}
	env := m.env
	in.Active = func() (string, error) { return env, nil }
	return func() tea.Msg {
		format, file, data, err := interchange.ReadImportFile(path, in.Format)
		if err != nil {
			return parsedMsg{seq: seq, format: format, source: path, err: unwrapPath(err)}
		}
		in.Format, in.Path, in.Data = format, file, data
		if wd, err := os.Getwd(); err == nil {
			// a curl command's files are read where it would run, as the CLI does
			in.BaseDir = wd
		}
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		plan, err := interchange.PlanImport(ctx, v, cat, in)
		return parsedMsg{seq: seq, format: format, plan: plan, source: file, err: err}
	}
}

// unwrapPath says what went wrong with a file without Go's "open" prefix.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", filepath.Clean(pe.Path), pe.Err)
	}
	return err
}

func (m *Model) apply() tea.Cmd {
	m.phase = importing
	plan, tag, v, timeout, cur := m.plan, m.tag, m.c.Vault, m.c.StoreTimeout, m.c.Env
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		cat, err := plan.Apply(ctx, v)
		if err != nil {
			return common.ResultMsg{Err: err, Tag: tag}
		}
		ok := plan.Summary(false)
		if plan.Env != cur {
			ok = strings.TrimSuffix(ok, ".") + " (E switches to it)"
		}
		// The list showing the environment selects the first imported item.
		return common.ResultMsg{OK: ok, Catalog: cat, Tag: tag, Item: firstImported(plan, cat)}
	}
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[1:])
		}
	}
	return p
}

// firstImported names the first item the plan created, as the catalog c
// has it: the first request, else auth client, secret, then variable.
func firstImported(p *interchange.ImportPlan, c *vault.Catalog) common.ItemRef {
	b := p.Batch
	for _, r := range b.Requests {
		if _, ok := c.Request(r.Env, r.Name); ok {
			return common.ItemRef{Kind: "request", Env: r.Env, Name: r.Name}
		}
	}
	for _, ci := range b.Clients {
		if _, ok := c.Client(ci.Client.Env, ci.Client.Name); ok {
			return common.ItemRef{Kind: "auth client", Env: ci.Client.Env, Name: ci.Client.Name}
		}
	}
	for _, si := range b.Secrets {
		if _, ok := c.Secret(si.Secret.Env, si.Secret.Name); ok {
			return common.ItemRef{Kind: "secret", Env: si.Secret.Env, Name: si.Secret.Name}
		}
	}
	return firstVariable(p, c)
}

func firstVariable(p *interchange.ImportPlan, c *vault.Catalog) common.ItemRef {
	e, ok := c.Env(p.Env)
	if !ok {
		return common.ItemRef{}
	}
	for _, v := range e.Variables {
		_, plain := p.Batch.Vars[p.Env][v.Name]
		_, secret := p.Batch.SecretVars[p.Env][v.Name]
		if plain || secret {
			return common.ItemRef{Kind: "variable", Env: p.Env, Name: v.Name}
		}
	}
	return common.ItemRef{}
}

// View renders the current phase.
func (m *Model) View() string {
	s := m.c.Styles
	var body string
	switch m.phase {
	case choosing:
		body = s.DetailTitle.Render("Import into "+m.env) + "\n" + m.form.View()
	case parsing:
		body = s.Muted.Render("Reading the file…")
	case importing:
		body = s.Muted.Render("Importing…")
	default:
		body = m.vp.View()
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(body)
}
