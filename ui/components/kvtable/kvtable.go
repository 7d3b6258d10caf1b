// Package kvtable is an editable table of name/value rows — query
// parameters, headers, form fields — where a row can be added, edited,
// removed, disabled (kept but not sent) and, in a multipart form, be a
// file read when the request is sent.
//
// Keys while the table has the focus: ↑/↓ select, a adds a row, enter
// edits the selected one (tab moves between name and value, enter keeps
// the edit, esc drops it), d removes, space disables or enables, f turns a
// row into a file part and back (when files are allowed). Pasting
// "Name: value" (or name=value, or a query string) lines adds rows.
package kvtable

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/styles"
)

// Row is one row of the table.
type Row struct {
	Name  string
	Value string
	// Disabled keeps the row without sending it.
	Disabled bool
	// File marks a row whose Value is the path of a file read when sent.
	File bool
	// ContentType is a form part's type; the table keeps it through edits.
	ContentType string
}

// Options configure a table.
type Options struct {
	// What names a row in the empty table's hint ("parameter", "header").
	What string
	// Sep separates name from value in pasted lines: ":" for headers,
	// "=" for parameters and form fields (which also split on '&').
	Sep string
	// Files allows file rows (a multipart form).
	Files bool
}

// KeyMap is the table's key map.
type KeyMap struct {
	Up, Down, Add, Edit, Delete, Toggle, File key.Binding
	// While a cell is edited:
	NextCell, Commit, Cancel key.Binding
}

// DefaultKeyMap returns the table's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Add:      key.NewBinding(key.WithKeys("a", "+"), key.WithHelp("a", "add row")),
		Edit:     key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", "edit row")),
		Delete:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove row")),
		Toggle:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "disable/enable")),
		File:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "file/text")),
		NextCell: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "name/value")),
		Commit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "drop the edit")),
	}
}

// Model is an editable table.
type Model struct {
	opts Options
	st   *styles.Styles
	keys KeyMap

	rows    []Row
	sel     int
	focused bool

	editing bool
	col     int  // 0 name, 1 value
	added   bool // the row being edited was added by this edit
	name    textinput.Model
	value   textinput.Model

	width, height int
}

// New returns an empty table.
func New(st *styles.Styles, opts Options) *Model {
	m := &Model{opts: opts, st: st, keys: DefaultKeyMap()}
	m.name = m.newInput("name")
	m.value = m.newInput("value")
	return m
}

func (m *Model) newInput(placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 8192
	in.SetStyles(m.st.TextInput())
	return in
}

// SetStyles re-themes the table.
func (m *Model) SetStyles(st *styles.Styles) {
	m.st = st
	m.name.SetStyles(st.TextInput())
	m.value.SetStyles(st.TextInput())
}

// SetRows replaces the rows (a cell being edited is dropped).
func (m *Model) SetRows(rows []Row) {
	m.rows = append([]Row(nil), rows...)
	m.editing = false
	m.sel = min(m.sel, max(0, len(m.rows)-1))
}

// Rows returns a copy of the rows, disabled ones included.
func (m *Model) Rows() []Row { return append([]Row(nil), m.rows...) }

// Selected is the index of the selected row (0 when the table is empty).
func (m *Model) Selected() int { return m.sel }

// Editing reports whether a cell is being edited: the table then takes
// tab, enter and esc.
func (m *Model) Editing() bool { return m.editing }

// Focus gives the table the keys.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keys away; a cell being edited keeps what was typed.
func (m *Model) Blur() {
	if m.editing {
		m.commit()
	}
	m.focused = false
}

// SetSize sets the width and the number of lines the table may use.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(1, h)
	nameW, valueW := m.columns()
	m.name.SetWidth(max(1, nameW-1))
	m.value.SetWidth(max(1, valueW-1))
}

// columns splits the width between the marker, the name and the value.
func (m *Model) columns() (nameW, valueW int) {
	rest := max(2, m.width-4)
	nameW = max(1, min(rest*2/5, 28))
	return nameW, max(1, rest-nameW-1)
}

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	has := len(m.rows) > 0
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Add, &k.Edit, &k.Delete, &k.Toggle, &k.File} {
		b.SetEnabled(!m.editing)
	}
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Edit, &k.Delete, &k.Toggle} {
		b.SetEnabled(b.Enabled() && has)
	}
	k.File.SetEnabled(k.File.Enabled() && has && m.opts.Files)
	for _, b := range []*key.Binding{&k.NextCell, &k.Commit, &k.Cancel} {
		b.SetEnabled(m.editing)
	}
	return k
}

// ShortHelp lists the main bindings that apply now.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.editing {
		return []key.Binding{k.NextCell, k.Commit, k.Cancel}
	}
	return []key.Binding{k.Add, k.Edit, k.Delete, k.Toggle, k.File}
}

// Update handles a key or a paste; changed reports that the rows changed
// (an edit kept, a row added, removed or toggled).
func (m *Model) Update(msg tea.Msg) (cmd tea.Cmd, changed bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.editing {
			return m.editKey(msg)
		}
		return nil, m.rowKey(msg)
	case tea.PasteMsg:
		if m.editing {
			return m.updateCell(msg), false
		}
		return nil, m.paste(msg.Content)
	}
	return nil, false
}

// rowKey handles a key on the selected row.
func (m *Model) rowKey(k tea.KeyPressMsg) bool {
	km := m.KeyMap()
	switch {
	case key.Matches(k, km.Up):
		m.sel = max(0, m.sel-1)
	case key.Matches(k, km.Down):
		m.sel = min(len(m.rows)-1, m.sel+1)
	case key.Matches(k, km.Add):
		m.rows = append(m.rows, Row{})
		m.sel = len(m.rows) - 1
		m.startEdit(true)
	case key.Matches(k, km.Edit):
		m.startEdit(false)
	case key.Matches(k, km.Delete):
		m.rows = append(m.rows[:m.sel], m.rows[m.sel+1:]...)
		m.sel = max(0, min(m.sel, len(m.rows)-1))
		return true
	case key.Matches(k, km.Toggle):
		m.rows[m.sel].Disabled = !m.rows[m.sel].Disabled
		return true
	case key.Matches(k, km.File):
		r := &m.rows[m.sel]
		r.File = !r.File
		r.Value = ""
		return true
	}
	return false
}

func (m *Model) startEdit(added bool) {
	r := m.rows[m.sel]
	m.editing, m.added, m.col = true, added, 0
	m.name.SetValue(r.Name)
	m.value.SetValue(r.Value)
	m.name.CursorEnd()
	m.value.CursorEnd()
	m.value.Placeholder = "value"
	if r.File {
		m.value.Placeholder = "path of the file (read when sent)"
	}
	m.focusCell()
}

func (m *Model) focusCell() {
	m.name.Blur()
	m.value.Blur()
	if m.col == 0 {
		m.name.Focus()
	} else {
		m.value.Focus()
	}
}

// editKey handles a key while a cell is edited.
func (m *Model) editKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.KeyMap()
	switch {
	case key.Matches(k, km.NextCell):
		m.col = 1 - m.col
		m.focusCell()
		return nil, false
	case key.Matches(k, km.Commit):
		return nil, m.commit()
	case key.Matches(k, km.Cancel):
		m.editing = false
		if m.added {
			m.rows = append(m.rows[:m.sel], m.rows[m.sel+1:]...)
			m.sel = max(0, min(m.sel, len(m.rows)-1))
		}
		return nil, false
	}
	return m.updateCell(k), false
}

func (m *Model) updateCell(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if m.col == 0 {
		m.name, cmd = m.name.Update(msg)
	} else {
		m.value, cmd = m.value.Update(msg)
	}
	return cmd
}

// commit keeps the edited cells; a row left without a name or value is
// dropped. It reports whether the rows changed.
func (m *Model) commit() bool {
	m.editing = false
	name, value := strings.TrimSpace(m.name.Value()), m.value.Value()
	if name == "" && value == "" {
		if m.added {
			m.rows = append(m.rows[:m.sel], m.rows[m.sel+1:]...)
			m.sel = max(0, min(m.sel, len(m.rows)-1))
		}
		return false
	}
	r := &m.rows[m.sel]
	if r.Name == name && r.Value == value && !m.added {
		return false
	}
	r.Name, r.Value = name, value
	return true
}

// paste adds a row for each pasted line (and, for "=" tables, each
// '&'-separated pair).
func (m *Model) paste(text string) bool {
	rows := ParseLines(text, m.opts.Sep)
	if len(rows) == 0 {
		return false
	}
	m.rows = append(m.rows, rows...)
	m.sel = len(m.rows) - 1
	return true
}

// ParseLines reads rows from pasted text: one "name<sep>value" per line
// (blank lines and lines starting with '#' skipped); with sep "=", '&'
// also separates rows, so a query string pastes as its parameters. A line
// without sep is a name with an empty value.
func ParseLines(text, sep string) []Row {
	var rows []Row
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		items := []string{line}
		if sep == "=" {
			items = strings.Split(strings.TrimPrefix(line, "?"), "&")
		}
		for _, it := range items {
			name, value, _ := strings.Cut(it, sep)
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			if sep != "=" {
				value = strings.TrimSpace(value)
			}
			rows = append(rows, Row{Name: name, Value: value})
		}
	}
	return rows
}

// View renders the rows in the size set; the selected row is marked when
// the table has the focus.
func (m *Model) View() string {
	st := m.st
	if len(m.rows) == 0 {
		hint := "no " + m.opts.What + "s"
		if m.focused {
			hint += " — a adds one, or paste lines"
		}
		return fit(st.Muted.Render(ansi.Truncate(hint, m.width, "…")), m.width, m.height)
	}
	top := max(0, min(m.sel-m.height+1, len(m.rows)-m.height))
	nameW, valueW := m.columns()
	lines := make([]string, 0, m.height)
	for i := top; i < min(len(m.rows), top+m.height); i++ {
		lines = append(lines, m.rowView(i, nameW, valueW))
	}
	return fit(strings.Join(lines, "\n"), m.width, m.height)
}

func (m *Model) rowView(i, nameW, valueW int) string {
	st, r := m.st, m.rows[i]
	mark := "✓ "
	if r.Disabled {
		mark = "· "
	}
	cursor := "  "
	if i == m.sel && m.focused {
		cursor = st.Accent.Render("▸ ")
	}
	if m.editing && i == m.sel {
		return cursor + mark + pad(m.name.View(), nameW) + " " + m.value.View()
	}
	value := r.Value
	if r.File {
		value = "@" + value
		if r.Value == "" {
			value = "@ (no file chosen)"
		}
	}
	text := pad(ansi.Truncate(display(r.Name), nameW, "…"), nameW) + " " + ansi.Truncate(display(value), valueW, "…")
	switch {
	case r.Disabled:
		text = st.Faint.Render(mark + text)
	case i == m.sel && m.focused:
		text = st.ListSelected.Render(mark + text)
	default:
		text = st.Text.Render(mark + text)
	}
	return cursor + text
}

// display makes a cell safe to draw: control characters become '?'.
func display(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// fit pads or cuts s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = pad(ansi.Truncate(l, w, ""), w)
	}
	return strings.Join(lines, "\n")
}
