// Package viewer is the response body viewer: raw or pretty (JSON laid out
// and highlighted), search with smart case, jump to a line, horizontal
// scrolling. It renders only the lines on screen, so a 10 MB body shows as
// fast as a small one; pretty-printing and searching run in commands, off
// the UI loop, and stale results are dropped. Every byte shown passes
// through request.AppendDisplay, so a body cannot drive the terminal.
package viewer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/styles"
)

var lastID atomic.Int64

// prettyMsg delivers a pretty-printed body.
type prettyMsg struct {
	id, seq int
	p       *oreq.Pretty
	err     error
}

// searchMsg delivers a search result.
type searchMsg struct {
	id, seq int
	query   string
	m       oreq.Match
	ok      bool
	err     error
}

// countMsg delivers how many matches the body has and which one is current.
type countMsg struct {
	id, seq    int
	nth, count int
}

type mode int

const (
	modeNormal mode = iota
	modeSearch
	modeGoto
)

// Model is the viewer.
type Model struct {
	id   int
	st   *styles.Styles
	keys KeyMap

	body       *oreq.Body
	pretty     *oreq.Pretty
	prettyErr  error
	prettyBusy bool
	showPretty bool
	notice     string

	top, left     int
	width, height int

	mode      mode
	input     textinput.Model
	queryText string
	query     oreq.Query
	current   *oreq.Match
	nth       int // the current match is the nth of count in the body
	count     int
	searching bool
	message   string

	seq    int
	cancel context.CancelFunc

	cache    map[int]string
	cacheGen string
	buf      []byte
	spans    []oreq.Span
	matches  [][2]int
	cuts     []int
	scratch  []byte
	focused  bool
}

// New returns an empty viewer drawn with st.
func New(st *styles.Styles) *Model {
	in := textinput.New()
	in.SetStyles(st.TextInput())
	in.CharLimit = 512
	return &Model{id: int(lastID.Add(1)), st: st, keys: DefaultKeyMap(), input: in, showPretty: true, cache: map[int]string{}, focused: true}
}

// SetStyles re-themes the viewer.
func (m *Model) SetStyles(st *styles.Styles) {
	m.st = st
	m.input.SetStyles(st.TextInput())
	m.invalidate()
}

// SetBody shows b (nil clears the viewer) and, for JSON, starts laying it
// out in a command; the raw lines show until the pretty ones are ready.
func (m *Model) SetBody(b *oreq.Body) tea.Cmd {
	m.stop()
	m.body, m.pretty, m.prettyErr, m.prettyBusy = b, nil, nil, false
	m.top, m.left, m.current, m.message, m.notice = 0, 0, nil, "", ""
	m.invalidate()
	if b == nil || b.Kind() != oreq.KindJSON {
		return nil
	}
	m.seq++
	m.prettyBusy = true
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	id, seq, data := m.id, m.seq, b.Bytes()
	return func() tea.Msg {
		p, err := oreq.PrettyJSON(ctx, data)
		return prettyMsg{id: id, seq: seq, p: p, err: err}
	}
}

// SetNotice shows text instead of a body (a body saved to a file, an error).
func (m *Model) SetNotice(text string) {
	m.stop()
	m.body, m.pretty, m.notice = nil, nil, text
	m.invalidate()
}

// stop cancels a running pretty-print or search.
func (m *Model) stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.searching = false
}

// Close cancels background work.
func (m *Model) Close() { m.stop() }

// Body returns the body shown.
func (m *Model) Body() *oreq.Body { return m.body }

// Pretty reports whether the pretty layout is on screen.
func (m *Model) Pretty() bool { return m.showPretty && m.pretty != nil }

// PrettyPending reports whether the layout is still being computed.
func (m *Model) PrettyPending() bool { return m.prettyBusy }

// Top returns the first visible line (0-based).
func (m *Model) Top() int { return m.top }

// Left returns the horizontal scroll in columns.
func (m *Model) Left() int { return m.left }

// Current returns the match jumped to, if any.
func (m *Model) Current() (oreq.Match, bool) {
	if m.current == nil {
		return oreq.Match{}, false
	}
	return *m.current, true
}

// Message returns the viewer's last message ("no match for …").
func (m *Model) Message() string { return m.message }

// Capturing reports whether the search or go-to field has the focus.
func (m *Model) Capturing() bool { return m.mode != modeNormal }

// Focus and Blur say whether keys reach the viewer (for help and styling).
func (m *Model) Focus() { m.focused = true }

// Blur takes the focus away.
func (m *Model) Blur() { m.focused = false }

// SetSize sizes the viewer.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		m.invalidate()
	}
	m.width, m.height = w, h
	m.input.SetWidth(max(4, w-4))
	m.clamp()
}

func (m *Model) lines() oreq.Lines {
	if m.Pretty() {
		return m.pretty
	}
	if m.body == nil {
		return nil
	}
	return m.body
}

func (m *Model) lineCount() int {
	if l := m.lines(); l != nil {
		return l.Len()
	}
	return 0
}

// contentHeight is the number of body lines on screen (one line is the bar).
func (m *Model) contentHeight() int { return max(1, m.height-1) }

func (m *Model) clamp() {
	maxTop := max(0, m.lineCount()-m.contentHeight())
	m.top = min(max(0, m.top), maxTop)
	m.left = max(0, m.left)
}

func (m *Model) invalidate() {
	clear(m.cache)
}

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	normal := m.mode == modeNormal
	has := m.lineCount() > 0
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Left, &k.Right, &k.Search, &k.Goto} {
		b.SetEnabled(normal && has)
	}
	k.Toggle.SetEnabled(normal && m.pretty != nil)
	k.Next.SetEnabled(normal && !m.query.Empty())
	k.Prev.SetEnabled(normal && !m.query.Empty())
	k.Clear.SetEnabled(normal && !m.query.Empty())
	k.Submit.SetEnabled(!normal)
	k.Cancel.SetEnabled(!normal)
	if m.Pretty() {
		k.Toggle.SetHelp("p", "raw")
	} else {
		k.Toggle.SetHelp("p", "pretty")
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.mode != modeNormal {
		return []key.Binding{k.Submit, k.Cancel}
	}
	return []key.Binding{k.Toggle, k.Search, k.Next, k.Goto}
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Left, k.Right, k.Toggle}, {k.Search, k.Next, k.Prev, k.Goto, k.Clear}}
}

// Update handles the viewer's results and, through HandleKey, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case prettyMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return nil
		}
		m.prettyBusy, m.cancel = false, nil
		if msg.err != nil {
			m.prettyErr = msg.err
			return nil
		}
		// Keep the same place in the body when the layout changes.
		if m.showPretty && m.body != nil {
			off := m.body.Offset(m.top)
			m.pretty = msg.p
			m.top = m.pretty.LineOf(off)
		} else {
			m.pretty = msg.p
		}
		m.current = nil
		m.invalidate()
		m.clamp()
		return nil
	case searchMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return nil
		}
		m.searching, m.cancel = false, nil
		if msg.err != nil {
			return nil
		}
		if !msg.ok {
			m.current = nil
			m.message = fmt.Sprintf("no match for %q", msg.query)
			m.invalidate()
			return nil
		}
		mt := msg.m
		m.current = &mt
		m.count = 0
		m.message = ""
		m.reveal(mt)
		m.invalidate()
		return m.countCmd(mt)
	case countMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.nth, m.count, m.cancel = msg.nth, msg.count, nil
			m.invalidate()
		}
		return nil
	case tea.KeyPressMsg:
		cmd, _ := m.HandleKey(msg)
		return cmd
	}
	if m.mode != modeNormal {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

// HandleKey handles a key press and reports whether the viewer used it, so
// the screen can give unused keys (esc, its own letters) other meanings.
func (m *Model) HandleKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.KeyMap()
	if m.mode != modeNormal {
		switch {
		case key.Matches(k, km.Cancel):
			m.mode = modeNormal
			m.input.Blur()
			return nil, true
		case key.Matches(k, km.Submit):
			return m.submit(), true
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		return cmd, true
	}
	page := m.contentHeight()
	switch {
	case key.Matches(k, km.Up):
		m.top--
	case key.Matches(k, km.Down):
		m.top++
	case key.Matches(k, km.PageUp):
		m.top -= page
	case key.Matches(k, km.PageDown):
		m.top += page
	case key.Matches(k, km.Top):
		m.top = 0
	case key.Matches(k, km.Bottom):
		m.top = m.lineCount()
	case key.Matches(k, km.Left):
		m.left -= max(1, m.textWidth()/4)
		m.invalidate()
	case key.Matches(k, km.Right):
		m.left += max(1, m.textWidth()/4)
		m.invalidate()
	case key.Matches(k, km.Toggle):
		m.toggle()
	case key.Matches(k, km.Search):
		m.mode = modeSearch
		m.input.Prompt = "/"
		m.input.Placeholder = "search (lower case ignores case; n repeats the last)"
		m.input.SetValue("")
		return m.input.Focus(), true
	case key.Matches(k, km.Goto):
		m.mode = modeGoto
		m.input.Prompt = ":"
		m.input.Placeholder = fmt.Sprintf("line (1–%d)", m.lineCount())
		m.input.SetValue("")
		return m.input.Focus(), true
	case key.Matches(k, km.Next):
		return m.search(false), true
	case key.Matches(k, km.Prev):
		return m.search(true), true
	case key.Matches(k, km.Clear):
		m.queryText, m.query, m.current, m.message = "", oreq.Query{}, nil, ""
		m.invalidate()
	default:
		return nil, false
	}
	m.clamp()
	return nil, true
}

func (m *Model) submit() tea.Cmd {
	text := m.input.Value()
	md := m.mode
	m.mode = modeNormal
	m.input.Blur()
	switch md {
	case modeGoto:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 1 {
			m.message = fmt.Sprintf("%q is not a line number", text)
			return nil
		}
		n = min(n, m.lineCount())
		m.top = n - 1 - m.contentHeight()/3
		m.current = &oreq.Match{Line: n - 1, Col: -1}
		m.message = ""
		m.clamp()
		m.invalidate()
		return nil
	case modeSearch:
		if text == "" {
			return nil
		}
		m.queryText, m.query = text, oreq.NewQuery(text)
		m.current = nil
		m.invalidate()
		return m.search(false)
	case modeNormal:
		// no prompt was open
	}
	return nil
}

// search looks for the next (or previous) match after the current one, or
// from the top of the screen, in a command.
func (m *Model) search(backward bool) tea.Cmd {
	l := m.lines()
	if l == nil || m.query.Empty() {
		return nil
	}
	m.stop()
	from := oreq.Match{Line: m.top, Col: -1}
	if backward {
		from = oreq.Match{Line: m.top, Col: 0}
	}
	if m.current != nil && m.current.Col >= 0 {
		from = *m.current
	}
	m.seq++
	m.searching = true
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	id, seq, q, text := m.id, m.seq, m.query, m.queryText
	return func() tea.Msg {
		mt, ok, err := oreq.Search(ctx, l, q, from, backward)
		return searchMsg{id: id, seq: seq, query: text, m: mt, ok: ok, err: err}
	}
}

// toggle switches raw/pretty, keeping the same place in the body.
func (m *Model) toggle() {
	if m.pretty == nil || m.body == nil {
		return
	}
	if m.Pretty() {
		m.top = m.body.LineOf(m.pretty.Offset(m.top))
	} else {
		m.top = m.pretty.LineOf(m.body.Offset(m.top))
	}
	m.showPretty = !m.showPretty
	m.current = nil
	m.left = 0
	m.invalidate()
}

// reveal scrolls so that match mt is on screen.
func (m *Model) reveal(mt oreq.Match) {
	h := m.contentHeight()
	if mt.Line < m.top || mt.Line >= m.top+h {
		m.top = mt.Line - h/3
	}
	tw := m.textWidth()
	l := m.lines()
	if l != nil && mt.Col >= 0 {
		prefix := l.AppendLine(m.buf[:0], mt.Line, mt.Col)
		col := ansi.StringWidth(string(oreq.AppendDisplay(nil, prefix)))
		if col < m.left || col+len(m.queryText) > m.left+tw {
			m.left = max(0, col-tw/3)
		}
	}
	m.clamp()
}

// gutterWidth is the width of the line numbers and their separator.
func (m *Model) gutterWidth() int {
	return len(strconv.Itoa(max(1, m.lineCount()))) + 1
}

func (m *Model) textWidth() int { return max(1, m.width-m.gutterWidth()) }

// View renders the bar and the visible lines, exactly width × height.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(m.bar())
	h := m.contentHeight()
	switch {
	case m.notice != "":
		b.WriteString("\n" + m.st.Muted.Render(ansi.Truncate(m.notice, m.width, "…")))
		h--
	case m.body == nil:
	case m.body.Kind() == oreq.KindEmpty || m.body.Len() == 0:
		b.WriteString("\n" + m.st.ListEmpty.Render("(empty body)"))
		h--
	case m.body.Kind() == oreq.KindBinary:
		b.WriteString("\n" + m.st.Muted.Render(ansi.Truncate(fmt.Sprintf("binary body (%s); save it to a file to look at it", oreq.FormatSize(int64(m.body.Size()))), m.width, "…")))
		h--
	default:
		n := m.lineCount()
		for i := m.top; i < m.top+h; i++ {
			b.WriteByte('\n')
			if i < n {
				b.WriteString(m.line(i))
			}
		}
		return b.String()
	}
	for ; h > 0; h-- {
		b.WriteByte('\n')
	}
	return b.String()
}

// bar is the first line: what is shown and where.
func (m *Model) bar() string {
	if m.mode != modeNormal {
		return m.input.View()
	}
	if m.body == nil {
		return ""
	}
	var parts []string
	kind := m.body.Kind().String()
	switch {
	case m.Pretty():
		kind += " · pretty"
	case m.prettyBusy:
		kind += " · formatting…"
	case m.body.Kind() == oreq.KindJSON && m.prettyErr != nil:
		kind += " · raw (" + m.prettyErr.Error() + ")"
	case m.body.Kind() == oreq.KindJSON:
		kind += " · raw"
	}
	parts = append(parts, kind)
	n := m.lineCount()
	if n > 0 {
		parts = append(parts, fmt.Sprintf("lines %d–%d of %d", m.top+1, min(n, m.top+m.contentHeight()), n))
	}
	parts = append(parts, oreq.FormatSize(int64(m.body.Size())))
	if m.left > 0 {
		parts = append(parts, fmt.Sprintf("col %d", m.left+1))
	}
	switch {
	case m.searching:
		parts = append(parts, "searching…")
	case m.message != "":
		parts = append(parts, m.message)
	case m.current != nil && m.count > 0:
		parts = append(parts, fmt.Sprintf("/%s · match %d of %d", m.queryText, m.nth, m.count))
	case !m.query.Empty():
		parts = append(parts, "/"+m.queryText)
	}
	return m.st.Muted.Render(ansi.Truncate(strings.Join(parts, " · "), m.width, "…"))
}

// line renders body line i with its number, highlighted and clipped.
func (m *Model) line(i int) string {
	key := fmt.Sprintf("%d/%d/%t/%s", m.width, m.left, m.Pretty(), m.queryText)
	if key != m.cacheGen {
		clear(m.cache)
		m.cacheGen = key
	}
	if s, ok := m.cache[i]; ok && (m.current == nil || m.current.Line != i) {
		return s
	}
	s := m.render(i)
	if len(m.cache) > 4*m.height+16 {
		clear(m.cache)
	}
	m.cache[i] = s
	return s
}

func (m *Model) render(i int) string {
	gw := m.gutterWidth()
	tw := m.textWidth()
	num := strconv.Itoa(i + 1)
	gutter := m.st.Faint.Render(strings.Repeat(" ", gw-1-len(num)) + num + " ")
	// Bytes beyond what can reach the screen are never read: at most four
	// bytes per column, plus slack for control pictures and tabs.
	limit := (m.left+tw)*4 + 64
	m.spans = m.spans[:0]
	if m.Pretty() {
		m.buf, m.spans = m.pretty.AppendSpans(m.buf[:0], m.spans, i, limit)
	} else {
		m.buf = m.body.AppendLine(m.buf[:0], i, limit)
	}
	text := m.buf
	m.matches = m.matches[:0]
	if !m.query.Empty() {
		m.matches = m.query.AppendMatches(m.matches, text, &m.scratch)
	}
	// Cut the text at every token and match boundary; style each piece.
	cuts := append(m.cuts[:0], 0, len(text))
	for _, sp := range m.spans {
		cuts = append(cuts, sp.Start, sp.End)
	}
	for _, mt := range m.matches {
		cuts = append(cuts, mt[0], mt[1])
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	m.cuts = cuts
	var out strings.Builder
	for k := 0; k+1 < len(cuts); k++ {
		a, z := cuts[k], cuts[k+1]
		if a >= len(text) {
			break
		}
		st := m.st.Text
		for _, sp := range m.spans {
			if sp.Start <= a && a < sp.End {
				st = m.tokenStyle(sp.Kind)
				break
			}
		}
		for _, mt := range m.matches {
			if mt[0] <= a && a < mt[1] {
				st = m.st.ListMatch
				if m.current != nil && m.current.Line == i && m.current.Col == mt[0] {
					st = m.st.ListSelected
				}
				break
			}
		}
		out.WriteString(st.Render(string(oreq.AppendDisplay(nil, text[a:z]))))
	}
	line := ansi.Cut(out.String(), m.left, m.left+tw)
	if m.current != nil && m.current.Line == i && m.current.Col < 0 {
		gutter = m.st.Accent.Render(strings.Repeat(" ", gw-1-len(num))+num) + " "
	}
	return gutter + line
}

func (m *Model) tokenStyle(k oreq.TokenKind) lipgloss.Style {
	switch k {
	case oreq.TokKey:
		return m.st.ClaimKey
	case oreq.TokString:
		return m.st.Code
	case oreq.TokNumber:
		return m.st.Info
	case oreq.TokLiteral:
		return m.st.Warning
	case oreq.TokPunct:
		// muted, below
	}
	return m.st.Muted
}

// countCmd counts the matches after a search found mt: the match is shown
// at once and its place ("match 3 of 12") when counted.
func (m *Model) countCmd(mt oreq.Match) tea.Cmd {
	l := m.lines()
	if l == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	id, seq, q := m.id, m.seq, m.query
	return func() tea.Msg {
		defer cancel()
		nth, count, err := countMatches(ctx, l, q, mt)
		if err != nil {
			return nil
		}
		return countMsg{id: id, seq: seq, nth: nth, count: count}
	}
}

// countMatches counts the matches of q in l (not overlapping, as they are
// highlighted) and says which of them mt is. It checks ctx every few
// thousand lines, so a newer search or a new body stops it.
func countMatches(ctx context.Context, l oreq.Lines, q oreq.Query, mt oreq.Match) (nth, count int, err error) {
	var buf, scratch []byte
	var found [][2]int
	for i := range l.Len() {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
		}
		buf = l.AppendLine(buf[:0], i, -1)
		found = q.AppendMatches(found[:0], buf, &scratch)
		for _, f := range found {
			count++
			if i < mt.Line || (i == mt.Line && f[0] <= mt.Col) {
				nth = count
			}
		}
	}
	return max(nth, 1), count, nil
}
