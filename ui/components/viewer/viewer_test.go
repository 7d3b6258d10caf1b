package viewer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
)

// run executes cmd and feeds its messages back, as the program would.
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(m, c)
		}
	default:
		run(m, m.Update(msg))
	}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		cmd, _ := m.HandleKey(uitest.Key(k))
		run(m, cmd)
	}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		run(m, m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

const sampleJSON = `{"users":[{"id":1,"name":"Ada Lovelace","email":"ada@example.test","active":true,"roles":["admin","dev"],"manager":null},` +
	`{"id":2,"name":"Grace Hopper","email":"grace@example.test","active":false,"roles":[],"score":97.5},` +
	`{"id":3,"name":"Alan Turing","email":"alan@example.test","active":true,"roles":["dev"],"note":"tab\there"}],` +
	`"page":{"number":1,"size":3,"total":3},"links":{"self":"https://api.example.test/users?page=1","next":null}}`

func newViewer(t testing.TB, body string, ct string, w, h int) *Model {
	t.Helper()
	b, err := oreq.NewBody([]byte(body), ct)
	if err != nil {
		t.Fatal(err)
	}
	m := New(styles.New(themes.Builtin()[0], true))
	m.SetSize(w, h)
	run(m, m.SetBody(b))
	return m
}

func screen(m *Model) string { return ansi.Strip(m.View()) }

// checkFrame: the view is exactly the size it was given.
func checkFrame(t *testing.T, m *Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.View(), "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line %d is %d wide, want ≤ %d: %q", i, ansi.StringWidth(l), w, ansi.Strip(l))
		}
	}
}

func TestGoldenViewer(t *testing.T) {
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				b, _ := oreq.NewBody([]byte(sampleJSON), "application/json")
				m := New(styles.New(th, true))
				m.SetSize(size[0], size[1])
				run(m, m.SetBody(b))
				press(m, "/")
				typeText(m, "example")
				press(m, "enter")
				checkFrame(t, m, size[0], size[1])
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

func TestPrettyAndRaw(t *testing.T) {
	t.Parallel()
	m := newViewer(t, sampleJSON, "application/json", 80, 12)
	if !m.Pretty() || m.lineCount() != 42 {
		t.Fatalf("pretty %v, %d lines", m.Pretty(), m.lineCount())
	}
	s := screen(m)
	if !strings.Contains(s, `2   "users": [`) || !strings.Contains(s, "json · pretty · lines 1–11 of 42") {
		t.Fatalf("screen:\n%s", s)
	}
	// Toggle to raw and back keeps the place in the body.
	press(m, "G")
	bottom := m.Top()
	press(m, "p")
	if m.Pretty() || m.Top() != 0 || !strings.Contains(screen(m), "json · raw") {
		t.Fatalf("raw: top %d\n%s", m.Top(), screen(m))
	}
	press(m, "p")
	if !m.Pretty() || m.Top() > bottom {
		t.Fatalf("back to pretty: top %d", m.Top())
	}
	checkFrame(t, m, 80, 12)
}

func TestScrolling(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", 200))
	}
	m := newViewer(t, b.String(), "text/plain", 40, 11)
	tests := []struct {
		keys []string
		top  int
	}{
		{[]string{"down"}, 1},
		{[]string{"j", "j"}, 3},
		{[]string{"pgdown"}, 13},
		{[]string{"up"}, 12},
		{[]string{"G"}, 90},
		{[]string{"pgdown"}, 90},
		{[]string{"g"}, 0},
		{[]string{"k"}, 0},
	}
	for _, tt := range tests {
		press(m, tt.keys...)
		if m.Top() != tt.top {
			t.Fatalf("after %v: top %d, want %d", tt.keys, m.Top(), tt.top)
		}
		checkFrame(t, m, 40, 11)
	}
	press(m, "right")
	if m.Left() == 0 || strings.Contains(strings.Split(screen(m), "\n")[1], "line 1 ") {
		t.Fatal("horizontal scroll")
	}
	press(m, "left", "left", "left")
	if m.Left() != 0 {
		t.Fatalf("left %d", m.Left())
	}
	press(m, ":")
	typeText(m, "57")
	press(m, "enter")
	if cur, ok := m.Current(); !ok || cur.Line != 56 || m.Top() > 56 || m.Top()+10 <= 56 {
		t.Fatalf("go to line: current %v top %d", cur, m.Top())
	}
	press(m, ":")
	typeText(m, "x")
	press(m, "enter")
	if !strings.Contains(m.Message(), "not a line number") {
		t.Fatalf("message %q", m.Message())
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	m := newViewer(t, sampleJSON, "application/json", 80, 10)
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("the search field should capture keys")
	}
	typeText(m, "EXAMPLE.test")
	press(m, "enter")
	// upper case: exact match only — the body has example.test in lower case
	if _, ok := m.Current(); ok || !strings.Contains(m.Message(), "no match") {
		t.Fatalf("case-sensitive search found something: %q", m.Message())
	}
	press(m, "/") // the field starts empty, not with the last query
	if strings.Contains(screen(m), "EXAMPLE") {
		t.Fatalf("the search field kept the last query:\n%s", screen(m))
	}
	typeText(m, "example.test")
	press(m, "enter")
	var found []int
	for range 5 {
		cur, ok := m.Current()
		if !ok {
			t.Fatal("no match")
		}
		found = append(found, cur.Line)
		if want := fmt.Sprintf("/example.test · match %d of 4", (len(found)-1)%4+1); !strings.Contains(screen(m), want) {
			t.Fatalf("status lacks %q:\n%s", want, screen(m))
		}
		press(m, "n")
	}
	// four occurrences (three emails and the link), then around again
	want := []int{5, 16, 24, 38, 5}
	if fmt.Sprint(found) != fmt.Sprint(want) {
		t.Fatalf("matches on lines %v, want %v", found, want)
	}
	// now on line 16: back to 5, then around backwards to 38
	press(m, "N", "N")
	if cur, _ := m.Current(); cur.Line != 38 {
		t.Fatalf("previous: line %d", cur.Line)
	}
	press(m, "esc")
	if _, ok := m.Current(); ok || m.KeyMap().Next.Enabled() {
		t.Fatal("esc should clear the search")
	}
	if _, used := m.HandleKey(uitest.Key("esc")); used {
		t.Fatal("with no search, esc belongs to the screen")
	}
}

func TestSearchRevealsFarColumns(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("a", 5000) + "needle" + strings.Repeat("b", 100)
	m := newViewer(t, body, "text/plain", 60, 5)
	press(m, "/")
	typeText(m, "needle")
	press(m, "enter")
	if m.Left() == 0 || !strings.Contains(screen(m), "needle") {
		t.Fatalf("left %d:\n%s", m.Left(), screen(m))
	}
	checkFrame(t, m, 60, 5)
}

func TestHostileBodies(t *testing.T) {
	t.Parallel()
	m := newViewer(t, "ok\x1b]52;c;ZXZpbA==\x07 \x1b[2J bad \xff utf8\n", "text/plain", 60, 4)
	v := m.View()
	if strings.ContainsRune(ansi.Strip(v), 0x1b) || strings.Contains(v, "]52;c;") && !strings.Contains(v, "␛]52;c;") {
		t.Fatalf("escape sequences reached the terminal: %q", v)
	}
	if !strings.Contains(screen(m), "␛]52;c;ZXZpbA==␇ ␛[2J bad \uFFFD utf8") {
		t.Fatalf("screen %q", screen(m))
	}
	for _, tc := range []struct{ body, ct, want string }{
		{"", "application/json", "(empty body)"},
		{"\x89PNG\x00\x01", "image/png", "binary body (6 B)"},
		{"{not json", "application/json", "json · raw (not valid JSON at line 1, column 2"},
	} {
		m := newViewer(t, tc.body, tc.ct, 80, 6)
		if !strings.Contains(screen(m), tc.want) {
			t.Errorf("%q: screen\n%s", tc.body, screen(m))
		}
		checkFrame(t, m, 80, 6)
	}
	m.SetNotice("Body of 73.0 MB saved to a temporary file")
	if !strings.Contains(screen(m), "73.0 MB") {
		t.Fatal("notice not shown")
	}
}

// TestStaleResultsDropped: a pretty layout or search result for an earlier
// body never lands on a newer one.
func TestStaleResultsDropped(t *testing.T) {
	t.Parallel()
	b1, _ := oreq.NewBody([]byte(`{"a":1}`), "application/json")
	b2, _ := oreq.NewBody([]byte(`{"b":[1,2,3]}`), "application/json")
	m := New(styles.New(themes.Builtin()[0], true))
	m.SetSize(40, 10)
	stale := m.SetBody(b1)
	fresh := m.SetBody(b2)
	run(m, stale)
	if m.Pretty() {
		t.Fatal("the first body's layout was applied to the second")
	}
	run(m, fresh)
	if !m.Pretty() || m.lineCount() != 7 {
		t.Fatalf("pretty %v lines %d", m.Pretty(), m.lineCount())
	}
}

func TestKeysDoNotWaitForFormatting(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("{\"k\":\"v\"},\n"), 100000)
	data = append(append([]byte("["), data...), []byte("0]")...)
	b, _ := oreq.NewBody(data, "application/json")
	m := New(styles.New(themes.Builtin()[0], true))
	m.SetSize(80, 20)
	cmd := m.SetBody(b) // the layout runs in cmd, not here
	if cmd == nil || m.Pretty() || !m.PrettyPending() || !strings.Contains(screen(m), "formatting…") {
		t.Fatal("formatting should be pending in a command")
	}
	press(m, "G")
	if m.Top() == 0 {
		t.Fatal("keys must work on the raw lines meanwhile")
	}
	run(m, cmd)
	if !m.Pretty() {
		t.Fatal("layout not applied")
	}
}
