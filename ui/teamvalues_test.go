package ui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/list"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/screens/form"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// The values the teammates keep; none may reach a screen or the folder.
const (
	aliceStripe = "sk_test_TEAMSHARED4471aa90c2"
	aliceGithub = "ghp_ALICEonly0000000000000000000000000"
	aliceSvc    = "alice-svc-secret-7c1d"
	aliceTenant = "alice-tenant-key-55e0"
	bobStripe   = "sk_test_BOBOWN9d0e11f3b7"
	bobGithub   = "ghp_BOBonly11111111111111111111111111"
	bobSvc      = "bob-svc-secret-2b88"
	bobTenant   = "bob-tenant-key-e41a"
)

// teammate is a person with their own authdeck home, age key and vault
// (an in-memory store) over one workspace folder.
type teammate struct {
	name     string
	ws       *workspace.Workspace
	v        *vault.Vault
	personal *vault.MemoryStore
	member   workspace.Member
}

func newTeammate(t *testing.T, name, root string) *teammate {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(home, "key.txt")
	if err := os.WriteFile(keyPath, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := workspace.ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	m.Name = name
	ws, err := workspace.Open(root, workspace.Options{Home: home, Identity: workspace.IdentityOptions{Paths: []string{keyPath}, Explicit: true}})
	if err != nil {
		t.Fatal(err)
	}
	p := &teammate{name: name, ws: ws, personal: vault.NewMemoryStore(), member: m}
	p.v = vault.New(ws, ws.Store(p.personal))
	return p
}

// teamFolder is a team workspace in a temporary repository: alice is its
// only member and has set every value (one secret shared with the team),
// bob has just cloned it and set none.
func teamFolder(t *testing.T) (root string, alice, bob *teammate) {
	t.Helper()
	ctx := context.Background()
	root = filepath.Join(t.TempDir(), "repo", workspace.DefaultFolder)
	if _, err := workspace.Init(root, workspace.InitOptions{Name: "payments"}); err != nil {
		t.Fatal(err)
	}
	alice = newTeammate(t, "alice", root)
	if _, err := alice.ws.AddMember(alice.member); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(alice.v.SetVar(ctx, vault.DefaultEnv, "baseUrl", "https://api.example.test", false))
	must(alice.v.SetVar(ctx, vault.DefaultEnv, "tenantKey", aliceTenant, true))
	_, err := alice.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "stripe", Env: vault.DefaultEnv, Shared: true}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: aliceStripe})
	must(err)
	_, err = alice.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "github", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: aliceGithub})
	must(err)
	_, err = alice.v.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Issuer: "https://id.example.test", ClientID: "svc", AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
	},
		&vault.ClientCredentials{ClientSecret: aliceSvc})
	must(err)
	bob = newTeammate(t, "bob", root)
	return root, alice, bob
}

// teamApp runs the TUI as p over the team workspace.
func teamApp(t *testing.T, p *teammate) (*uitest.Driver, *Model) {
	t.Helper()
	cat, err := p.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{
		Vault: p.v, Catalog: cat, Dark: true, Workspace: "payments", WorkspacePath: p.ws.Root(),
		Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
	})
	d := uitest.New(t, m, 140, 44)
	d.Busy = uitest.StoreBusy
	return d, m
}

// teamItem returns the browse list's row of name in section.
func teamItem(m *Model, section, name string) (list.Item, bool) {
	b, ok := m.stack[0].(*browse.Model)
	if !ok {
		return list.Item{}, false
	}
	for _, it := range b.List().Items() {
		if it.Section == section && it.Name == name {
			return it, true
		}
	}
	return list.Item{}, false
}

// selectItem moves the browse cursor onto name in section.
func selectTeamItem(t *testing.T, d *uitest.Driver, m *Model, section, name string) {
	t.Helper()
	b := m.Top().(*browse.Model)
	n := len(b.List().Items())
	for _, dir := range []string{"down", "up"} {
		for range n + 1 {
			if it, ok := b.Selected(); ok && it.Section == section && it.Name == name {
				return
			}
			d.Press(dir)
		}
	}
	t.Fatalf("%s %s is not in the list:\n%s", section, name, d.Screen())
}

// openValueForm presses enter on the selection and waits for the value
// form, returning the key of its focused field.
func openValueForm(t *testing.T, d *uitest.Driver, m *Model, title string) *form.Model {
	t.Helper()
	d.Press("enter")
	var f *form.Model
	d.Wait(30*time.Second, "the value form", func() bool {
		f, _ = m.Top().(*form.Model)
		return f != nil && f.Form() != nil && f.Capturing()
	})
	if f.Title() != title {
		t.Fatalf("form %q, want %q", f.Title(), title)
	}
	return f
}

func focusedKey(f *form.Model) string {
	if ff := f.Form().GetFocusedField(); ff != nil {
		return ff.GetKey()
	}
	return ""
}

// saveAndWaitSet types value into the focused field, saves, and waits for
// the browse screen to show the item without its "not set" mark.
func saveAndWaitSet(t *testing.T, d *uitest.Driver, m *Model, section, name, value string) {
	t.Helper()
	d.Type(value)
	if strings.Contains(d.Screen(), value) {
		t.Fatalf("the value typed into the form is on screen (S-30)")
	}
	d.Press("enter")
	d.Wait(30*time.Second, name+" to be set", func() bool {
		if _, ok := m.Top().(*browse.Model); !ok {
			return false
		}
		it, ok := teamItem(m, section, name)
		return ok && it.Badge != "not set"
	})
}

func noneOf(t *testing.T, where, text string, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(text, v) {
			t.Fatalf("%s holds a secret value (S-45/S-30)", where)
		}
	}
}

// In a team workspace the TUI marks what this person has not set (the
// items 'authdeck doctor' lists), enter on a marked item opens the form
// focused on the value, and saving keeps the value in their own vault
// only: the folder is byte for byte as it was, and the teammate's values
// are untouched. A shared secret is labelled shared and names the keys
// its value is encrypted to, as 'authdeck team list' does.
func TestTeamWorkspaceMarksAndSetsMissingValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root, alice, bob := teamFolder(t)
	folder := readTree(t, root)
	all := []string{aliceStripe, aliceGithub, aliceSvc, aliceTenant, bobStripe, bobGithub, bobSvc, bobTenant}

	d, m := teamApp(t, bob)
	marked := map[[2]string]bool{
		{browse.SectionSecrets, "stripe"}: true, {browse.SectionSecrets, "github"}: true,
		{browse.SectionClients, "svc"}: true, {browse.SectionVariables, "tenantKey"}: true,
		{browse.SectionVariables, "baseUrl"}: false,
	}
	d.Wait(30*time.Second, "bob's unset values to be marked", func() bool {
		it, ok := teamItem(m, browse.SectionVariables, "tenantKey")
		return ok && it.Badge == "not set"
	})
	for k, want := range marked {
		it, ok := teamItem(m, k[0], k[1])
		if !ok || (it.Badge == "not set") != want {
			t.Errorf("%s %s: badge %q, want marked %v", k[0], k[1], it.Badge, want)
		}
	}
	if it, _ := teamItem(m, browse.SectionSecrets, "stripe"); !strings.Contains(it.Hint, "shared") {
		t.Errorf("the shared secret's row says %q, not shared", it.Hint)
	}
	if it, _ := teamItem(m, browse.SectionSecrets, "github"); strings.Contains(it.Hint, "shared") {
		t.Errorf("a personal secret is labelled shared: %q", it.Hint)
	}
	screen := d.Screen()
	if !strings.Contains(screen, "not set") || !strings.Contains(screen, "VARIABLES") {
		t.Fatalf("the marks are not on screen:\n%s", screen)
	}

	// the shared secret: its recipients, and why it does not open for bob
	selectTeamItem(t, d, m, browse.SectionSecrets, "stripe")
	screen = d.Screen()
	for _, want := range []string{"SHARED WITH THE TEAM", "alice", alice.member.Kind, alice.member.Fingerprint, "not encrypted to your key", "enter sets your value"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the shared secret's detail lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "(you)") {
		t.Errorf("bob is shown as a member:\n%s", screen)
	}
	f := openValueForm(t, d, m, "Set your value of API key stripe (default)")
	if k := focusedKey(f); k != "key" {
		t.Fatalf("the form opened on %q, not the value", k)
	}
	saveAndWaitSet(t, d, m, browse.SectionSecrets, "stripe", bobStripe)

	selectTeamItem(t, d, m, browse.SectionSecrets, "github")
	f = openValueForm(t, d, m, "Set your value of API key github (default)")
	if k := focusedKey(f); k != "key" {
		t.Fatalf("the form opened on %q, not the value", k)
	}
	saveAndWaitSet(t, d, m, browse.SectionSecrets, "github", bobGithub)

	selectTeamItem(t, d, m, browse.SectionClients, "svc")
	f = openValueForm(t, d, m, "Set your credentials of auth client svc (default)")
	if k := focusedKey(f); k != "clientSecret" {
		t.Fatalf("the form opened on %q, not the client secret", k)
	}
	saveAndWaitSet(t, d, m, browse.SectionClients, "svc", bobSvc)

	selectTeamItem(t, d, m, browse.SectionVariables, "tenantKey")
	f = openValueForm(t, d, m, "Set your value of the variable tenantKey (default)")
	if k := focusedKey(f); k != "value" {
		t.Fatalf("the form opened on %q, not the value", k)
	}
	saveAndWaitSet(t, d, m, browse.SectionVariables, "tenantKey", bobTenant)

	for k := range marked {
		if it, _ := teamItem(m, k[0], k[1]); it.Badge == "not set" {
			t.Errorf("%s %s is still marked after it was set", k[0], k[1])
		}
	}
	noneOf(t, "the screen", d.Screen(), all...)

	// bob's values are his, in his own store
	sec := func(p *teammate, name string) string {
		s, err := p.v.Secret(vault.DefaultEnv, name)
		if err != nil {
			t.Fatal(err)
		}
		val, err := p.v.SecretValue(ctx, s)
		if err != nil {
			t.Fatalf("%s's %s: %v", p.name, name, err)
		}
		return val.Key
	}
	creds := func(p *teammate) string {
		ac, err := p.v.Client(vault.DefaultEnv, "svc")
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.v.ClientCredentials(ctx, ac)
		if err != nil {
			t.Fatalf("%s's svc: %v", p.name, err)
		}
		return c.ClientSecret
	}
	vars := func(p *teammate) string {
		vs, err := p.v.Vars(ctx, vault.DefaultEnv)
		if err != nil {
			t.Fatal(err)
		}
		return vs["tenantKey"]
	}
	for _, c := range []struct{ who, what, got, want string }{
		{"bob", "stripe", sec(bob, "stripe"), bobStripe},
		{"bob", "github", sec(bob, "github"), bobGithub},
		{"bob", "svc", creds(bob), bobSvc},
		{"bob", "tenantKey", vars(bob), bobTenant},
		{"alice", "stripe", sec(alice, "stripe"), aliceStripe},
		{"alice", "github", sec(alice, "github"), aliceGithub},
		{"alice", "svc", creds(alice), aliceSvc},
		{"alice", "tenantKey", vars(alice), aliceTenant},
	} {
		if c.got != c.want {
			t.Errorf("%s's %s is not theirs after bob set his values", c.who, c.what)
		}
	}
	if n := len(bob.personal.Keys()); n != 4 {
		t.Errorf("bob's own store holds %d values, want his 4", n)
	}

	// nothing of it went into the folder: byte for byte as it was
	if after := readTree(t, root); !reflect.DeepEqual(after, folder) {
		t.Errorf("setting personal values changed the workspace folder")
	}
	for p, content := range readTree(t, root) {
		noneOf(t, p, content, all...)
	}

	// alice has every value: nothing marked, and she is "(you)"
	da, ma := teamApp(t, alice)
	selectTeamItem(t, da, ma, browse.SectionSecrets, "stripe")
	da.Wait(30*time.Second, "alice's check to name her among the recipients", func() bool {
		return strings.Contains(da.Screen(), "(you)")
	})
	for k := range marked {
		if it, _ := teamItem(ma, k[0], k[1]); it.Badge == "not set" {
			t.Errorf("alice's %s %s is marked though she set it", k[0], k[1])
		}
	}
	noneOf(t, "alice's screen", da.Screen(), all...)
}

// readTree lists the folder's files with their content.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if e.Name() == ".lock" { // the folder's lock file, created on first use
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
