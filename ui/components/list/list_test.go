package list

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
)

var testStyles = styles.New(themes.Builtin()[0], true)

func newList(n int) *Model {
	m := New(func() *styles.Styles { return testStyles }, []Section{{Key: "a", Title: "Alpha"}, {Key: "b", Title: "Beta"}})
	items := make([]Item, n)
	for i := range items {
		sec := "a"
		if i%2 == 1 {
			sec = "b"
		}
		items[i] = Item{Section: sec, ID: fmt.Sprint(i), Name: fmt.Sprintf("item-%05d", i)}
	}
	m.SetItems(items)
	m.SetSize(40, 12)
	return m
}

// run executes cmd and feeds its message back, like the program would.
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			run(m, c)
		}
		return
	}
	if msg != nil {
		run(m, m.Update(msg))
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	names := []string{"billing-service", "console", "weather-key", "old-key", "service-basic"}
	tests := []struct {
		query string
		want  []string
	}{
		{"", names},
		{"key", []string{"old-key", "weather-key"}},
		{"svc", []string{"service-basic", "billing-service"}},
		{"console", []string{"console"}},
		{"zzz", nil},
		{"  ", names},
	}
	for _, tt := range tests {
		got := Filter(tt.query, names)
		var gotNames []string
		for _, m := range got {
			gotNames = append(gotNames, names[m.Index])
		}
		if strings.Join(gotNames, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Filter(%q) = %v, want %v", tt.query, gotNames, tt.want)
		}
	}
}

func TestFilterKeysAndHighlight(t *testing.T) {
	t.Parallel()
	m := newList(200)
	run(m, m.Update(uitest.Key("/")))
	if !m.Filtering() {
		t.Fatal("/ did not open the filter")
	}
	for _, r := range "00017" {
		run(m, m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	if m.Len() != 1 {
		t.Fatalf("%d matches for 00017", m.Len())
	}
	it, _ := m.Selected()
	if it.Name != "item-00017" {
		t.Errorf("selected %q", it.Name)
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "item-00017") || !strings.Contains(view, "BETA") {
		t.Errorf("view:\n%s", view)
	}
	run(m, m.Update(uitest.Key("enter")))
	if m.Filtering() || m.Query() != "00017" {
		t.Fatalf("enter should keep the filter and leave the input (filtering=%v query=%q)", m.Filtering(), m.Query())
	}
	if !strings.Contains(ansi.Strip(m.View()), "1 match") {
		t.Error("the kept filter is not shown")
	}
	run(m, m.Update(uitest.Key("esc")))
	if m.Query() != "" || m.Len() != 200 {
		t.Fatalf("esc should clear the filter: query %q, %d items", m.Query(), m.Len())
	}
	if it, _ := m.Selected(); it.Name != "item-00017" {
		t.Errorf("clearing the filter lost the selection: %q", it.Name)
	}
}

// TestStaleFilterResultsDropped: a result computed for an older keystroke
// never replaces a newer one (the filter runs off the UI loop).
func TestStaleFilterResultsDropped(t *testing.T) {
	t.Parallel()
	m := newList(100)
	m.StartFilter()
	var cmds []tea.Cmd
	for _, r := range "000" {
		cmds = append(cmds, m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	// Deliver the newest result first, then the older ones.
	var results []tea.Msg
	for _, c := range cmds {
		collect(c, &results)
	}
	if len(results) != 3 {
		t.Fatalf("%d filter results, want 3", len(results))
	}
	m.Update(results[2])
	want := m.Len()
	m.Update(results[0])
	m.Update(results[1])
	if m.Len() != want {
		t.Errorf("a stale result replaced the newest: %d items, want %d", m.Len(), want)
	}
	if m.Query() != "000" {
		t.Errorf("query = %q", m.Query())
	}
}

func collect(c tea.Cmd, out *[]tea.Msg) {
	if c == nil {
		return
	}
	msg := c()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, x := range b {
			collect(x, out)
		}
		return
	}
	if _, ok := msg.(FilterResultMsg); ok {
		*out = append(*out, msg)
	}
}

func TestNavigationRendersOnlyVisibleRows(t *testing.T) {
	t.Parallel()
	m := newList(1000)
	view := ansi.Strip(m.View())
	if n := strings.Count(view, "\n") + 1; n > 12 {
		t.Fatalf("rendered %d lines for a height of 12", n)
	}
	run(m, m.Update(uitest.Key("G")))
	it, _ := m.Selected()
	if it.Name != "item-00999" {
		t.Errorf("G selected %q", it.Name)
	}
	if !strings.Contains(ansi.Strip(m.View()), "item-00999") {
		t.Error("the cursor row is off screen after G")
	}
	run(m, m.Update(uitest.Key("g")))
	if it, _ := m.Selected(); it.Name != "item-00000" {
		t.Errorf("g selected %q", it.Name)
	}
	run(m, m.Update(uitest.Key("pgdown")))
	if it, _ := m.Selected(); it.Name == "item-00000" {
		t.Error("pgdown did not move")
	}
	// Keys that do not apply are disabled so the help tells the truth.
	empty := newList(0)
	if empty.KeyMap().Down.Enabled() {
		t.Error("down is enabled on an empty list")
	}
}

func TestSetItemsKeepsSelection(t *testing.T) {
	t.Parallel()
	m := newList(10)
	run(m, m.Update(uitest.Key("down")))
	run(m, m.Update(uitest.Key("down")))
	sel, _ := m.Selected()
	items := append([]Item{{Section: "a", ID: "new", Name: "aaa-first"}}, m.Items()...)
	run(m, m.SetItems(items))
	if got, _ := m.Selected(); got.ID != sel.ID {
		t.Errorf("selection moved from %q to %q", sel.Name, got.Name)
	}
}

func BenchmarkFilterKeystroke10k(b *testing.B) {
	m := newList(10000)
	m.SetSize(48, 40)
	m.StartFilter()
	queries := []string{"i", "it", "ite", "item", "item-", "item-0", "item-00", "item-001", "item-0012"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		m.input.SetValue(q[:len(q)-1])
		m.query = m.input.Value()
		// One keystroke: the input update, the filter command and the
		// result applied to the list, then the frame.
		cmd := m.Update(tea.KeyPressMsg{Code: rune(q[len(q)-1]), Text: q[len(q)-1:]})
		run(m, cmd)
		_ = m.View()
	}
}

func BenchmarkView1000(b *testing.B) {
	m := newList(1000)
	m.SetSize(48, 40)
	for i := 0; i < b.N; i++ {
		m.invalidate()
		_ = m.View()
	}
}
