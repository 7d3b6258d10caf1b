package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/screens/dashboard"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/screens/vaultpane"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// fixtureApp returns a driver over the fixture workspace with a fixed clock.
func fixtureApp(t *testing.T, w, h int, mod func(*Options)) (*uitest.Driver, *Model, *vault.Vault) {
	t.Helper()
	v := uitest.Fixture()
	opts := Options{
		Vault: v, Catalog: uitest.Catalog(v), Now: func() time.Time { return uitest.FixtureNow }, Dark: true,
		Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
	}
	if mod != nil {
		mod(&opts)
	}
	m := New(opts)
	d := uitest.New(t, m, w, h)
	// A key's command (a catalog read, a dialog closing) can take longer
	// than the driver's quiet period on a loaded machine.
	d.Busy = 3 * time.Second
	return d, m, v
}

// assertNoSecrets fails when screen shows any fixture secret value; the
// message never prints the value itself (S-30, S-33).
func assertNoSecrets(t *testing.T, where, screen string) {
	t.Helper()
	for i, s := range uitest.Secrets() {
		for _, part := range []string{s, s[:min(12, len(s))]} {
			if strings.Contains(screen, part) {
				t.Errorf("%s shows fixture secret #%d (or its first 12 characters)", where, i)
			}
		}
	}
}

func TestGoldenMainScreen(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				d, m, _ := fixtureApp(t, size[0], size[1], func(o *Options) { o.Theme = th.Name })
				if m.ThemeName() != th.Name {
					t.Fatalf("theme = %q", m.ThemeName())
				}
				screen := d.Screen()
				assertNoSecrets(t, "main screen", screen)
				golden.RequireEqual(t, screen)
			})
		}
	}
}

func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("token_%dx%d", size[0], size[1]), func(t *testing.T) {
			d, m, _ := fixtureApp(t, size[0], size[1], nil)
			d.Send(common.OpenTokenMsg{Env: "dev", Secret: "console"})
			d.Settle()
			if _, ok := m.Top().(*token.Model); !ok {
				t.Fatalf("top = %T", m.Top())
			}
			screen := d.Screen()
			assertNoSecrets(t, "token pane", screen)
			golden.RequireEqual(t, screen)
		})
		t.Run(fmt.Sprintf("dashboard_%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _, _ := fixtureApp(t, size[0], size[1], nil)
			d.Press("D")
			screen := d.Screen()
			assertNoSecrets(t, "dashboard", screen)
			golden.RequireEqual(t, screen)
		})
		t.Run(fmt.Sprintf("help_%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _, _ := fixtureApp(t, size[0], size[1], nil)
			d.Press("?")
			golden.RequireEqual(t, d.Screen())
		})
		t.Run(fmt.Sprintf("newform_%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _, _ := fixtureApp(t, size[0], size[1], nil)
			d.Send(common.EditMsg{Kind: common.EditSecret, Env: "dev", Type: vault.TypeAPIKey})
			d.Settle()
			golden.RequireEqual(t, d.Screen())
		})
	}
}

func TestGlobalKeys(t *testing.T) {
	t.Parallel()
	d, m, v := fixtureApp(t, 120, 40, nil)

	d.Press("?")
	if _, ok := m.Dialog().(*dialogs.Help); !ok {
		t.Fatalf("? opened %T, want the help overlay", m.Dialog())
	}
	if s := d.Screen(); !strings.Contains(s, "get token") || !strings.Contains(s, "environment") {
		t.Errorf("help lacks screen or global bindings:\n%s", s)
	}
	d.Press("esc")
	if m.Dialog() != nil {
		t.Fatal("esc did not close the help")
	}

	// Environment switcher: E, move to staging, enter.
	d.Press("E", "down", "enter")
	if m.Common().Env != "staging" {
		t.Fatalf("env = %q, want staging", m.Common().Env)
	}
	if cat := uitest.Catalog(v); cat.ActiveEnv != "staging" {
		t.Errorf("active env not remembered: %q", cat.ActiveEnv)
	}
	if s := d.Screen(); !strings.Contains(s, "env staging") || !strings.Contains(s, "reports") || strings.Contains(s, "weather-key") {
		t.Errorf("list does not show staging:\n%s", s)
	}

	// Theme cycling is remembered in the settings.
	before := m.ThemeName()
	d.Press("T")
	if m.ThemeName() == before {
		t.Fatal("T did not change the theme")
	}
	if cat := uitest.Catalog(v); cat.Settings.Theme != m.ThemeName() {
		t.Errorf("theme %q not saved (settings say %q)", m.ThemeName(), cat.Settings.Theme)
	}

	d.Press("D")
	if _, ok := m.Top().(*dashboard.Model); !ok {
		t.Fatalf("D opened %T", m.Top())
	}
	d.Press("esc")
	if _, ok := m.Top().(*browse.Model); !ok {
		t.Fatalf("esc left %T on top", m.Top())
	}

	d.Press("q")
	quit := false
	for _, msg := range d.Seen() {
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
		}
	}
	if !quit {
		t.Error("q did not quit")
	}
}

func TestGlobalKeysIgnoredWhileTyping(t *testing.T) {
	t.Parallel()
	d, m, _ := fixtureApp(t, 100, 30, nil)
	d.Press("/")
	d.Type("qE?D")
	if m.Dialog() != nil {
		t.Fatalf("a dialog opened while typing a filter: %T", m.Dialog())
	}
	if _, ok := m.Top().(*browse.Model); !ok {
		t.Fatalf("top = %T", m.Top())
	}
	b := m.Top().(*browse.Model)
	if q := b.List().Query(); q != "qE?D" {
		t.Errorf("filter = %q", q)
	}
	for _, msg := range d.Seen() {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("q quit while typing")
		}
	}
}

func TestBackgroundColourPicksVariant(t *testing.T) {
	t.Parallel()
	d, m, _ := fixtureApp(t, 80, 24, nil)
	dark := m.Common().Styles.Palette
	d.Send(tea.BackgroundColorMsg{Color: lightColor{}})
	if m.Common().Styles.IsDark {
		t.Fatal("a light background did not switch to the light variant")
	}
	if m.Common().Styles.Palette == dark {
		t.Error("the light variant has the dark palette")
	}
}

type lightColor struct{}

func (lightColor) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestNoColorPicksMonochrome(t *testing.T) {
	t.Parallel()
	_, m, _ := fixtureApp(t, 80, 24, func(o *Options) {
		o.Getenv = func(k string) string {
			if k == "NO_COLOR" {
				return "1"
			}
			return ""
		}
	})
	if m.ThemeName() != themes.MonoName {
		t.Fatalf("theme = %q with NO_COLOR", m.ThemeName())
	}
	out := uitest.ViewString(m)
	for _, seq := range []string{"38;2;", "48;2;", "38;5;", "48;5;"} {
		if strings.Contains(out, seq) {
			t.Fatalf("monochrome view contains colour sequence %q", seq)
		}
	}
}

// failTransport fails the test when anything tries the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("network call during start-up: %s %s", r.Method, r.URL.Host)
	return nil, errors.New("no network in this test")
}

// TestStartupNoStoreNoNetwork checks the start-up rule: the first frame needs the
// catalog only — zero store calls, zero network calls (1,000 items).
// Not parallel: it swaps http.DefaultTransport, which other tests use.
func TestStartupNoStoreNoNetwork(t *testing.T) {
	counting := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), counting)
	if _, err := v.Apply(t.Context(), uitest.BigBatch(1000)); err != nil {
		t.Fatal(err)
	}
	before := counting.Calls()
	prev := http.DefaultTransport
	http.DefaultTransport = failTransport{t}
	defer func() { http.DefaultTransport = prev }()
	cfg := &engines.Config{HTTPClient: &http.Client{Transport: failTransport{t}}}
	m := New(Options{Vault: v, Engines: cfg, Dark: true, Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"})})
	d := uitest.New(t, m, 120, 40)
	d.Busy = 3 * time.Second
	d.Press("down", "down", "tab", "tab", "D", "esc")
	if s := d.Screen(); !strings.Contains(s, "item-0003") {
		t.Fatalf("first frame lacks the items:\n%s", s)
	}
	if n := counting.Calls() - before; n != 0 {
		t.Errorf("start-up made %d store calls, want 0", n)
	}
}

func TestVaultUnavailableShowsPaneAndSwitches(t *testing.T) {
	t.Parallel()
	v := vault.New(vault.NewMemoryCatalog(), unavailableStore{})
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Catalogs().Update(func(c *vault.Catalog) error {
		c.ActiveEnv = "dev"
		c.Secrets = append(c.Secrets, vault.Secret{Meta: vault.Meta{ID: "s1", Name: "k", Env: "dev"}, Type: vault.TypeAPIKey})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	file := uitest.Fixture()
	var gotPass string
	m := New(Options{
		Vault: v, Catalog: uitest.Catalog(v), Dark: true, Env: "dev",
		OpenFileVault: func(p string) (*vault.Vault, error) { gotPass = p; return file, nil },
	})
	d := uitest.New(t, m, 100, 30)
	d.Press("down", "v")
	pane, ok := m.Top().(*vaultpane.Model)
	if !ok {
		t.Fatalf("a store error opened %T, want the vault pane; screen:\n%s", m.Top(), d.Screen())
	}
	if !errors.Is(pane.Err(), vault.ErrUnavailable) {
		t.Errorf("pane error = %v", pane.Err())
	}
	s := d.Screen()
	for _, want := range []string{"cannot be reached", "AUTHDECK_VAULT=file", "use the encrypted file vault"} {
		if !strings.Contains(s, want) {
			t.Errorf("vault pane lacks %q:\n%s", want, s)
		}
	}
	d.Press("f")
	d.Type("correct horse")
	if strings.Contains(d.Screen(), "correct horse") {
		t.Error("the passphrase is echoed")
	}
	d.Press("enter")
	if gotPass != "correct horse" {
		t.Fatalf("file vault opened with %q", gotPass)
	}
	if m.Common().Vault != file {
		t.Fatal("the session did not switch to the file vault")
	}
	if _, ok := m.Top().(*browse.Model); !ok {
		t.Fatalf("top after switching = %T", m.Top())
	}
	if !strings.Contains(d.Screen(), "encrypted file") && !strings.Contains(m.Status(), "encrypted file vault") {
		t.Errorf("no word about the switch: status %q", m.Status())
	}
}

// unavailableStore answers every call like an unreachable keychain.
type unavailableStore struct{}

func (unavailableStore) fail(op, key string) error {
	return &vault.StoreError{Op: op, Backend: vault.BackendKeychain, Key: key, Err: vault.ErrUnavailable, Hint: "no Secret Service on the session bus"}
}

func (u unavailableStore) Get(_ context.Context, key string) ([]byte, error) {
	return nil, u.fail("get", key)
}

func (u unavailableStore) Set(_ context.Context, key string, _ []byte) error {
	return u.fail("set", key)
}

func (u unavailableStore) Delete(_ context.Context, key string) error { return u.fail("delete", key) }

func (unavailableStore) Backend() string { return vault.BackendKeychain }

func (u unavailableStore) Apply(_ context.Context, changes []vault.Change) ([]vault.Change, error) {
	key := ""
	if len(changes) > 0 {
		key = changes[0].Key
	}
	return nil, u.fail("apply", key)
}

// TestViewsFitEverySize: every screen fills exactly the terminal, with no
// line wider than it, from 80×24 up, and across resizes.
func TestViewsFitEverySize(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name string
		open func(d *uitest.Driver)
	}{
		{"browse", func(*uitest.Driver) {}},
		{"token", func(d *uitest.Driver) { d.Send(common.OpenTokenMsg{Env: "dev", Secret: "console"}); d.Settle() }},
		{"dashboard", func(d *uitest.Driver) { d.Press("D") }},
		{"help", func(d *uitest.Driver) { d.Press("?") }},
		{"form", func(d *uitest.Driver) {
			d.Send(common.EditMsg{Kind: common.EditClient, Env: "dev"})
			d.Settle()
		}},
		{"env", func(d *uitest.Driver) { d.Press("E") }},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			d, _, _ := fixtureApp(t, 80, 24, nil)
			sc.open(d)
			for _, size := range [][2]int{{80, 24}, {200, 60}, {100, 30}, {80, 24}, {132, 43}} {
				d.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				d.Settle()
				lines := strings.Split(d.Screen(), "\n")
				if len(lines) != size[1] {
					t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("%dx%d: line %d is %d wide", size[0], size[1], i+1, w)
						break
					}
				}
			}
		})
	}
}
