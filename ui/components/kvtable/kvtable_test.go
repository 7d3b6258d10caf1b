package kvtable

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

func press(t *testing.T, m *Model, keys ...string) (changed bool) {
	t.Helper()
	for _, k := range keys {
		_, c := m.Update(uitest.Key(k))
		changed = changed || c
	}
	return changed
}

func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func newTable(files bool) *Model {
	m := New(styles.New(themes.Builtin()[0], true), Options{What: "field", Sep: "=", Files: files})
	m.SetSize(60, 4)
	m.Focus()
	return m
}

func TestEditRows(t *testing.T) {
	t.Parallel()
	m := newTable(true)
	if !strings.Contains(ansi.Strip(m.View()), "no fields — a adds one") {
		t.Fatalf("empty view:\n%s", ansi.Strip(m.View()))
	}
	press(t, m, "a")
	if !m.Editing() {
		t.Fatal("a does not start editing the new row")
	}
	typeText(m, "user")
	press(t, m, "tab")
	typeText(m, "ada")
	if !press(t, m, "enter") || m.Editing() {
		t.Fatal("enter does not keep the edit")
	}
	// A row left empty is dropped; esc on a new row drops it too.
	press(t, m, "a", "enter")
	press(t, m, "a")
	typeText(m, "x")
	press(t, m, "esc")
	if got := fmt.Sprint(m.Rows()); got != "[{user ada false false }]" {
		t.Fatalf("rows %s", got)
	}
	// Editing and dropping the edit keeps the old row.
	press(t, m, "enter")
	typeText(m, "name")
	press(t, m, "esc")
	if m.Rows()[0].Name != "user" {
		t.Fatalf("esc kept the edit: %+v", m.Rows())
	}
	if !press(t, m, "space") || !m.Rows()[0].Disabled {
		t.Fatal("space does not disable")
	}
	if !strings.Contains(ansi.Strip(m.View()), "· user") {
		t.Fatalf("disabled row not marked:\n%s", ansi.Strip(m.View()))
	}
	if !press(t, m, "f") || !m.Rows()[0].File || m.Rows()[0].Value != "" {
		t.Fatalf("f does not make a file row: %+v", m.Rows())
	}
	if !press(t, m, "d") || len(m.Rows()) != 0 {
		t.Fatal("d does not remove")
	}
	// Files are refused where they are not allowed.
	n := newTable(false)
	n.SetRows([]Row{{Name: "a"}})
	if press(t, n, "f") || n.Rows()[0].File {
		t.Fatal("f made a file row in a table without files")
	}
}

func TestPasteAndScroll(t *testing.T) {
	t.Parallel()
	m := newTable(false)
	if _, changed := m.Update(tea.PasteMsg{Content: "?a=1&b=2\nc=3\r\nd\n"}); !changed {
		t.Fatal("paste added nothing")
	}
	if got := fmt.Sprint(m.Rows()); got != "[{a 1 false false } {b 2 false false } {c 3 false false } {d  false false }]" {
		t.Fatalf("rows %s", got)
	}
	press(t, m, "a")
	typeText(m, "e")
	press(t, m, "enter")
	// Five rows in four lines: the selected (last) one is visible, the first is not.
	v := ansi.Strip(m.View())
	if strings.Count(v, "\n") != 3 || !strings.Contains(v, "▸ ✓ e") || strings.Contains(v, "✓ a ") {
		t.Fatalf("view:\n%s", v)
	}
	h := New(styles.New(themes.Builtin()[0], true), Options{What: "header", Sep: ":"})
	h.Update(tea.PasteMsg{Content: "Accept: a:b\n# comment\n: nameless\n"})
	if got := fmt.Sprint(h.Rows()); got != "[{Accept a:b false false }]" {
		t.Fatalf("header rows %s", got)
	}
}
