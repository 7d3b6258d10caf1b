// Package list is a sectioned, fuzzy-filterable list that renders only the
// rows that fit and caches what it rendered. Filtering runs in a command, off
// the UI loop; a result that arrives after a newer keystroke is dropped.
package list

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
)

// Item is one row of the list.
type Item struct {
	// Section is the key of the section the item belongs to.
	Section string
	// ID identifies the item across reloads (so the cursor stays on it).
	ID string
	// Name is shown and matched by the filter.
	Name string
	// Hint is shown dimmed after the name (a type, a grant).
	Hint string
	// Badge is a short marker ("expired", "expires soon") shown in BadgeKind's tone.
	Badge     string
	BadgeKind common.StatusKind
	// Depth indents the row under its folder (a tree); a filter's matches
	// are ordered by score, so they are not indented.
	Depth int
	// Folder marks a folder row of a tree: it is not counted in its
	// section and the filter never matches it.
	Folder bool
	// Hidden keeps the item out of the list unless a filter is active (an
	// item inside a collapsed folder, which the filter still finds).
	Hidden bool
}

// Section is a titled group of items, shown in the order given.
type Section struct {
	Key   string
	Title string
}

// FilterResultMsg carries the outcome of a filter run.
type FilterResultMsg struct {
	ListID  int64
	Seq     int
	Matches []Match
}

// Match is an item index and the positions of its name the query matched.
type Match struct {
	Index     int
	Positions []int
}

var lastID atomic.Int64

// Model is the list component.
type Model struct {
	st       func() *styles.Styles
	keys     KeyMap
	id       int64
	sections []Section
	items    []Item
	names    []string

	matches []Match // visible items, in display order
	rows    []row
	cursor  int // index into matches
	offset  int // first visible row
	width   int
	height  int
	focused bool

	input     textinput.Model
	filtering bool
	query     string
	seq       int

	cache      string
	cacheValid bool
	// Empty is shown when there are no items at all.
	Empty string
}

type row struct {
	section string // set for a section header
	count   int
	match   int // index into matches, -1 for a header
}

// New returns an empty list drawn with the styles st returns (a function, so
// a theme change reaches the list without rebuilding it).
func New(st func() *styles.Styles, sections []Section) *Model {
	m := &Model{st: st, keys: DefaultKeyMap(), id: lastID.Add(1), sections: sections, focused: true}
	m.input = textinput.New()
	m.input.Prompt = "/ "
	m.input.Placeholder = "filter by name"
	m.input.SetStyles(st().TextInput())
	return m
}

// ID identifies the list in its FilterResultMsgs.
func (m *Model) ID() int64 { return m.id }

// SetItems replaces the items, keeping the cursor on the same item ID when it
// is still there and re-running an active filter.
func (m *Model) SetItems(items []Item) tea.Cmd {
	prev, hadPrev := m.Selected()
	m.items = items
	m.names = make([]string, len(items))
	for i, it := range items {
		if !it.Folder {
			m.names[i] = it.Name
		}
	}
	m.invalidate()
	if m.query != "" {
		// Show nothing stale: keep the old matches until the new run lands,
		// but only those that still exist.
		m.seq++
		m.matches = nil
		m.rebuild(prev.ID, hadPrev)
		return filterCmd(m.id, m.seq, m.query, m.names)
	}
	m.matches = m.visible()
	m.rebuild(prev.ID, hadPrev)
	return nil
}

// Items returns the items.
func (m *Model) Items() []Item { return m.items }

// visible returns the items shown without a filter: all but the hidden.
func (m *Model) visible() []Match {
	out := make([]Match, 0, len(m.items))
	for i, it := range m.items {
		if !it.Hidden {
			out = append(out, Match{Index: i})
		}
	}
	return out
}

func allMatches(n int) []Match {
	out := make([]Match, n)
	for i := range out {
		out[i] = Match{Index: i}
	}
	return out
}

// rebuild groups matches by section and lays out the rows.
func (m *Model) rebuild(keepID string, keep bool) {
	order := make(map[string]int, len(m.sections))
	for i, s := range m.sections {
		order[s.Key] = i
	}
	slices.SortStableFunc(m.matches, func(a, b Match) int {
		return cmp.Compare(order[m.items[a.Index].Section], order[m.items[b.Index].Section])
	})
	m.rows = m.rows[:0]
	counts := m.sectionCounts()
	cur := ""
	for i, mt := range m.matches {
		sec := m.items[mt.Index].Section
		if i == 0 || sec != cur {
			cur = sec
			m.rows = append(m.rows, row{section: sec, count: counts[sec], match: -1})
		}
		m.rows = append(m.rows, row{match: i})
	}
	m.cursor = 0
	if keep {
		for i, mt := range m.matches {
			if m.items[mt.Index].ID == keepID {
				m.cursor = i
				break
			}
		}
	}
	m.clamp()
	m.invalidate()
}

// sectionCounts counts each section's items (folder rows aside): all of
// them without a filter, those that match with one.
func (m *Model) sectionCounts() map[string]int {
	counts := map[string]int{}
	count := func(it Item) {
		if !it.Folder {
			counts[it.Section]++
		}
	}
	if m.query == "" {
		for _, it := range m.items {
			count(it)
		}
		return counts
	}
	for _, mt := range m.matches {
		count(m.items[mt.Index])
	}
	return counts
}

// filterCmd runs the fuzzy match off the UI loop. names is never mutated
// after SetItems, so sharing it with the command is safe.
func filterCmd(id int64, seq int, query string, names []string) tea.Cmd {
	return func() tea.Msg {
		return FilterResultMsg{ListID: id, Seq: seq, Matches: Filter(query, names)}
	}
}

// Filter returns the items of names matching query: best matches first.
// An empty query matches everything in order.
func Filter(query string, names []string) []Match {
	if strings.TrimSpace(query) == "" {
		return allMatches(len(names))
	}
	found := fuzzy.Find(query, names)
	out := make([]Match, len(found))
	for i, f := range found {
		out[i] = Match{Index: f.Index, Positions: f.MatchedIndexes}
	}
	return out
}

// SetSize sets the list's size, including the filter line.
func (m *Model) SetSize(w, h int) {
	if w == m.width && h == m.height {
		return
	}
	m.width, m.height = w, h
	m.input.SetWidth(max(1, w-4))
	m.clamp()
	m.invalidate()
}

// SetFocused says whether the list has the keyboard (it draws its cursor
// dimmed when not).
func (m *Model) SetFocused(f bool) {
	if f != m.focused {
		m.focused = f
		m.invalidate()
	}
}

// Filtering reports whether the filter input has the keyboard.
func (m *Model) Filtering() bool { return m.filtering }

// Query returns the active filter.
func (m *Model) Query() string { return m.query }

// Selected returns the item under the cursor.
func (m *Model) Selected() (Item, bool) {
	if m.cursor < 0 || m.cursor >= len(m.matches) {
		return Item{}, false
	}
	return m.items[m.matches[m.cursor].Index], true
}

// Len returns how many items are visible (after filtering).
func (m *Model) Len() int { return len(m.matches) }

// Select moves the cursor to the item with the given ID, if visible.
func (m *Model) Select(id string) bool {
	for i, mt := range m.matches {
		if m.items[mt.Index].ID == id {
			m.cursor = i
			m.clamp()
			m.invalidate()
			return true
		}
	}
	return false
}

func (m *Model) invalidate() { m.cacheValid = false }

// RefreshStyles re-applies the styles after a theme change.
func (m *Model) RefreshStyles() {
	m.input.SetStyles(m.st().TextInput())
	m.invalidate()
}

func (m *Model) listHeight() int {
	h := m.height
	if m.filtering || m.query != "" {
		h--
	}
	return max(0, h)
}

// clamp keeps the cursor in range and its row on screen.
func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.matches)-1))
	h := m.listHeight()
	if h <= 0 || len(m.rows) == 0 {
		m.offset = 0
		return
	}
	r := m.cursorRow()
	if r < m.offset {
		m.offset = r
		// keep the section header of the first item visible
		if r > 0 && m.rows[r-1].match < 0 {
			m.offset = r - 1
		}
	}
	if r >= m.offset+h {
		m.offset = r - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-h))
}

func (m *Model) cursorRow() int {
	// rows are in match order with headers interleaved; search from the cursor.
	for i := min(m.cursor, len(m.rows)-1); i < len(m.rows); i++ {
		if m.rows[i].match == m.cursor {
			return i
		}
	}
	return 0
}

// KeyMap returns the bindings with the ones that do not apply disabled.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	k.ClearFilter.SetEnabled(m.filtering || m.query != "")
	k.AcceptFilter.SetEnabled(m.filtering)
	k.FilterUp.SetEnabled(m.filtering && len(m.matches) > 0)
	k.FilterDown.SetEnabled(m.filtering && len(m.matches) > 0)
	k.Filter.SetEnabled(!m.filtering)
	move := !m.filtering && len(m.matches) > 0
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(move)
	}
	return k
}

// ShortHelp returns the list's main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.filtering {
		return []key.Binding{k.AcceptFilter, k.ClearFilter}
	}
	return []key.Binding{k.Up, k.Down, k.Filter, k.ClearFilter}
}

// FullHelp returns every binding of the list.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Filter, k.AcceptFilter, k.ClearFilter}}
}

// Update handles keys (when focused) and filter results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case FilterResultMsg:
		if msg.ListID != m.id || msg.Seq != m.seq {
			return nil // stale: a newer keystroke is being matched
		}
		prev, ok := m.Selected()
		m.matches = msg.Matches
		if strings.TrimSpace(m.query) == "" {
			m.matches = m.visible()
		}
		m.rebuild(prev.ID, ok)
		if m.query != "" && len(m.matches) > 0 && !ok {
			m.cursor = 0
		}
		return nil
	case tea.KeyPressMsg:
		if m.filtering {
			return m.updateFilter(msg)
		}
		return m.updateKeys(msg)
	case tea.PasteMsg:
		if m.filtering {
			return m.updateFilter(msg)
		}
	}
	return nil
}

func (m *Model) updateFilter(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		km := m.KeyMap()
		switch {
		case key.Matches(k, km.ClearFilter):
			return m.ClearFilter()
		case key.Matches(k, km.AcceptFilter):
			m.filtering = false
			m.input.Blur()
			m.clamp()
			m.invalidate()
			return nil
		case key.Matches(k, km.FilterUp, km.FilterDown):
			// arrows still move while typing
			return m.updateKeys(k)
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.invalidate()
	if q := m.input.Value(); q != m.query {
		m.query = q
		m.seq++
		return tea.Batch(cmd, filterCmd(m.id, m.seq, q, m.names))
	}
	return cmd
}

// ClearFilter drops the filter and shows every item again.
func (m *Model) ClearFilter() tea.Cmd {
	prev, ok := m.Selected()
	m.filtering = false
	m.input.Blur()
	m.input.SetValue("")
	m.query = ""
	m.seq++ // drop any run still in flight
	m.matches = m.visible()
	m.rebuild(prev.ID, ok)
	return nil
}

// StartFilter opens the filter input.
func (m *Model) StartFilter() tea.Cmd {
	m.filtering = true
	m.input.SetValue(m.query)
	m.input.CursorEnd()
	m.clamp()
	m.invalidate()
	return m.input.Focus()
}

func (m *Model) updateKeys(k tea.KeyPressMsg) tea.Cmd {
	h := max(1, m.listHeight()-1)
	before := m.cursor
	km := m.KeyMap()
	switch {
	case key.Matches(k, km.Filter):
		return m.StartFilter()
	case key.Matches(k, km.ClearFilter):
		return m.ClearFilter()
	case key.Matches(k, km.Up, km.FilterUp):
		m.cursor--
	case key.Matches(k, km.Down, km.FilterDown):
		m.cursor++
	case key.Matches(k, km.PageUp):
		m.cursor -= h
	case key.Matches(k, km.PageDown):
		m.cursor += h
	case key.Matches(k, km.Top):
		m.cursor = 0
	case key.Matches(k, km.Bottom):
		m.cursor = len(m.matches) - 1
	default:
		return nil
	}
	m.clamp()
	if m.cursor != before {
		m.invalidate()
	}
	return nil
}

// View renders the visible rows; the result is cached until something changes.
func (m *Model) View() string {
	if m.cacheValid {
		return m.cache
	}
	m.cache = m.render()
	m.cacheValid = true
	return m.cache
}

func (m *Model) render() string {
	s := m.st()
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	lines := 0
	if m.filtering || m.query != "" {
		if m.filtering {
			b.WriteString(ansi.Truncate(m.input.View(), m.width, "…"))
		} else {
			b.WriteString(ansi.Truncate(s.FilterPrompt.Render("/ ")+s.Text.Render(m.query)+s.Faint.Render("  "+common.Plural(len(m.matches), "match", "matches")), m.width, "…"))
		}
		lines++
	}
	if len(m.rows) == 0 {
		if lines > 0 {
			b.WriteByte('\n')
		}
		msg := m.Empty
		if m.query != "" {
			msg = "nothing matches " + `"` + m.query + `"`
		}
		b.WriteString(s.ListEmpty.Render(ansi.Truncate(msg, m.width, "…")))
		return b.String()
	}
	h := m.listHeight()
	end := min(len(m.rows), m.offset+h)
	titles := make(map[string]string, len(m.sections))
	for _, sec := range m.sections {
		titles[sec.Key] = sec.Title
	}
	for i := m.offset; i < end; i++ {
		if lines > 0 {
			b.WriteByte('\n')
		}
		lines++
		r := m.rows[i]
		if r.match < 0 {
			b.WriteString(ansi.Truncate(s.ListSection.Render(strings.ToUpper(titles[r.section]))+" "+s.Faint.Render(strconv.Itoa(r.count)), m.width, "…"))
			continue
		}
		b.WriteString(m.renderItem(s, r.match))
	}
	return b.String()
}

func (m *Model) renderItem(s *styles.Styles, idx int) string {
	mt := m.matches[idx]
	it := m.items[mt.Index]
	selected := idx == m.cursor
	base := s.ListItem
	if selected {
		base = s.ListSelected
		if !m.focused {
			base = s.ListSelectedBlur
		}
	}
	// On the selected row every part keeps the row's background.
	sp := " "
	hintStyle := s.ListHint
	if selected && m.focused {
		sp = base.Render(" ")
		hintStyle = s.ListSelectedHint
	}
	var bs lipgloss.Style
	if it.Badge != "" {
		bs = s.Warning
		switch it.BadgeKind {
		case common.StatusError:
			bs = s.Error
		case common.StatusSuccess:
			bs = s.Success
		case common.StatusInfo:
			bs = s.Info
		case common.StatusWarning:
			// the warning style, as set above
		}
		if selected && m.focused {
			bs = bs.Background(s.ListSelected.GetBackground())
		}
	}
	indent := m.indent(it)
	lead := 2 + len(indent)
	fit := fitRow(m.width-lead, ansi.StringWidth(it.Name), ansi.StringWidth(it.Hint), ansi.StringWidth(it.Badge))
	hint, badge := "", ""
	if fit.hint {
		hint = sp + hintStyle.Render(it.Hint)
	}
	switch fit.badge {
	case badgeWhole:
		badge = sp + bs.Render("● "+it.Badge)
	case badgeDot:
		badge = sp + bs.Render("●")
	case badgeNone:
	}
	avail := fit.name
	name := ansi.Truncate(it.Name, max(1, avail), "…")
	nameR := highlight(name, mt.Positions, base, base.Inherit(s.ListMatch))
	prefix := "  " + indent
	if selected {
		prefix = "▌ " + indent
	}
	line := base.Render(prefix) + nameR
	if selected {
		pad := m.width - ansi.StringWidth(prefix) - ansi.StringWidth(name) - ansi.StringWidth(hint) - ansi.StringWidth(badge)
		line += hint + badge + base.Render(strings.Repeat(" ", max(0, pad)))
		return ansi.Truncate(line, m.width, "")
	}
	return ansi.Truncate(line+hint+badge, m.width, "")
}

// How much of a row's badge is shown.
type badgeFit int

const (
	badgeNone  badgeFit = iota
	badgeDot            // the coloured dot alone
	badgeWhole          // "● expired"
)

// rowFit is how a row's parts share its width.
type rowFit struct {
	name  int // cells for the name (it is cut with … beyond them)
	hint  bool
	badge badgeFit
}

// fitRow shares w cells (after the markers) between a row's name, hint
// and badge, the name first: the hint goes before the name is cut, then
// the badge's word (its coloured dot stays while the name keeps at least
// four cells), and only then is the name cut.
func fitRow(w, nameW, hintW, badgeW int) rowFit {
	hintCells, wholeCells := 0, 0
	if hintW > 0 {
		hintCells = 1 + hintW
	}
	dot := badgeNone
	if badgeW > 0 {
		wholeCells, dot = 1+2+badgeW, badgeDot
	}
	whole := badgeNone
	if badgeW > 0 {
		whole = badgeWhole
	}
	switch {
	case nameW+hintCells+wholeCells <= w:
		return rowFit{name: nameW, hint: hintW > 0, badge: whole}
	case nameW+wholeCells <= w:
		return rowFit{name: nameW, badge: whole}
	case dot == badgeDot && w-2 >= 4:
		return rowFit{name: min(nameW, w-2), badge: badgeDot}
	}
	return rowFit{name: max(1, w)}
}

// indent is the row's indentation in a tree (none under a filter, and
// never so deep that no name is left).
func (m *Model) indent(it Item) string {
	if m.query != "" || it.Depth <= 0 {
		return ""
	}
	return strings.Repeat("  ", min(it.Depth, max(0, (m.width-8)/4)))
}

// highlight renders name with the runes at positions in match style.
func highlight(name string, positions []int, base, match interface{ Render(...string) string }) string {
	if len(positions) == 0 {
		return base.Render(name)
	}
	var b strings.Builder
	var run strings.Builder
	inMatch := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if inMatch {
			b.WriteString(match.Render(run.String()))
		} else {
			b.WriteString(base.Render(run.String()))
		}
		run.Reset()
	}
	pi := 0
	// fuzzy positions are byte offsets into the name
	for i, r := range name {
		for pi < len(positions) && positions[pi] < i {
			pi++
		}
		is := pi < len(positions) && positions[pi] == i
		if is != inMatch {
			flush()
			inMatch = is
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}
