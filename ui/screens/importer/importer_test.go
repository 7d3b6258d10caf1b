package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/vaulttest/ssfixtures"
)

const goodFile = `[
 {"data": {"value": {"key": "imported-key-not-a-secret-01"}, "tenant": "acme", "type": "API_KEY", "name": "imported-key",}},
 {"data": {"value": {"username": "bob", "passphrase": "imported-pass-not-a-secret"}, "type": "SIMPLE", "name": "imported-basic"}}
]`

const badFile = `{"data": {"value": {"key": "x"}, "type": "API_KEY", "name": "weather-key"}}
`

// corpus is the real files the importers are tested on (see its SOURCES.md).
var corpus = filepath.Join("..", "..", "..", "vault", "interchange", "testdata", "corpus")

// importScreen opens the import screen over v into dev, pastes path (one
// update instead of one per rune; TestImportHomePath types its path) and
// goes through the form (keys after the path: the format select and
// whatever follows), then waits for the report.
func importScreen(t *testing.T, v *vault.Vault, path string, keys ...string) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	return openImport(t, v, func(d *uitest.Driver) { d.Paste(path) }, keys...)
}

// importTyped is importScreen with path typed key by key.
func importTyped(t *testing.T, v *vault.Vault, path string, keys ...string) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	return openImport(t, v, func(d *uitest.Driver) { d.Type(path) }, keys...)
}

func openImport(t *testing.T, v *vault.Vault, enter func(*uitest.Driver), keys ...string) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	c := uitest.NewCommon(v)
	c.Env = "dev"
	m := New(c, "dev")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 120, 40)
	enter(d)
	if len(keys) == 0 {
		keys = []string{"enter", "enter"}
	}
	d.Press(keys...)
	d.Wait(30*time.Second, "the report", func() bool { return m.phase == reporting })
	return d, h, m
}

func importFile(t *testing.T, v *vault.Vault, content string) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return importScreen(t, v, path)
}

// fileVault is a workspace whose catalog is a real catalog.json (returned),
// values in memory, with one environment, dev.
func fileVault(t *testing.T) (*vault.Vault, *vault.MemoryStore, string) {
	t.Helper()
	dir := t.TempDir()
	cat, err := vault.OpenFileCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := vault.NewMemoryStore()
	v := vault.New(cat, mem)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if err := v.UseEnv("dev"); err != nil {
		t.Fatal(err)
	}
	return v, mem, filepath.Join(dir, vault.CatalogFileName)
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitImported presses enter on the report and waits for the screen to close.
func waitImported(t *testing.T, d *uitest.Driver, h *uitest.Host, m *Model) {
	t.Helper()
	if m.Err() != nil {
		t.Fatalf("parse error: %v\n%s", m.Err(), d.Screen())
	}
	d.Press("enter")
	// A loaded machine may take longer than a settle to write the batch.
	d.Wait(30*time.Second, "the import to finish", func() bool { return h.Popped == 1 })
}

// flat is the screen's words joined by single spaces: a long report line
// wraps at the screen's width.
func flat(screen string) string { return strings.Join(strings.Fields(screen), " ") }

// selected returns the item the import's result names for the list to
// select.
func selected(d *uitest.Driver) (common.ItemRef, bool) {
	for _, msg := range d.Seen() {
		if r, ok := msg.(common.ResultMsg); ok && r.Err == nil && r.Tag != "" {
			return r.Item, r.Item.Name != ""
		}
	}
	return common.ItemRef{}, false
}

func TestImportReportsThenImports(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, h, m := importFile(t, v, goodFile)
	if m.Err() != nil {
		t.Fatalf("parse error: %v", m.Err())
	}
	if m.Format() != interchange.FormatSecretService {
		t.Errorf("format %q", m.Format())
	}
	s := flat(d.Screen())
	if !strings.Contains(s, `into environment "dev": 0 requests, 0 variables, 0 secret variables, 2 secrets, 0 auth clients`) || !strings.Contains(s, "imported-key") {
		t.Errorf("report:\n%s", s)
	}
	if strings.Contains(s, "imported-key-not-a-secret") || strings.Contains(s, "imported-pass") {
		t.Error("the report shows a secret value")
	}
	if _, ok := uitest.Catalog(v).Secret("dev", "imported-key"); ok {
		t.Fatal("something was stored before enter")
	}
	waitImported(t, d, h, m)
	s2, ok := uitest.Catalog(v).Secret("dev", "imported-key")
	if !ok || s2.Tenant != "acme" {
		t.Fatalf("imported secret = %+v", s2)
	}
	val, err := v.SecretValue(t.Context(), *s2)
	if err != nil || val.Key != "imported-key-not-a-secret-01" {
		t.Errorf("value not stored (err %v)", err)
	}
	if sel, ok := selected(d); !ok || sel != (common.ItemRef{Kind: "secret", Env: "dev", Name: s2.Name}) {
		t.Errorf("selection after the import = %+v, want the secret imported-key", sel)
	}
}

// TestImportPostmanFoldersAndSecrets imports a real Postman collection with
// folders and a secret collection variable: the requests keep their
// folders, the value is in the vault and nowhere in catalog.json, and the
// first request is selected.
func TestImportPostmanFoldersAndSecrets(t *testing.T) {
	t.Parallel()
	v, mem, catPath := fileVault(t)
	path := filepath.Join(corpus, "postman", "bruno-import-issues.postman_collection.json")
	d, h, m := importScreen(t, v, path)
	s := flat(d.Screen())
	for _, want := range []string{
		`Would import from ` + path + ` into environment "dev": 12 requests, 1 variable, 1 secret variable, 0 secrets, 0 auth clients.`,
		"Format: Postman collection or environment (detected)",
		`request "Deep Valid Request": DELETE https://api.example.com/deep/valid (in folder API Folder / Deep Subfolder)`,
		`variable "token": secret variable, value goes to the vault`,
		`item "No Request Object At All": neither a folder nor a request`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "test-token-123") {
		t.Error("the report shows the secret variable's value")
	}
	if len(mem.Keys()) != 0 || len(uitest.Catalog(v).Requests) != 0 {
		t.Fatal("something was stored before enter")
	}
	waitImported(t, d, h, m)
	cat := uitest.Catalog(v)
	if len(cat.Requests) != 12 {
		t.Errorf("%d requests imported, want 12", len(cat.Requests))
	}
	r, ok := cat.Request("dev", "Deep Valid Request")
	if !ok || strings.Join(r.Folder, "/") != "API Folder/Deep Subfolder" {
		t.Errorf("request in folders = %+v", r)
	}
	if bytes.Contains(readBytes(t, catPath), []byte("test-token-123")) {
		t.Error("the secret variable's value is in catalog.json")
	}
	vars, err := v.Vars(context.Background(), "dev")
	if err != nil || vars["token"] != "test-token-123" {
		t.Errorf("the secret variable's value is not in the vault (err %v)", err)
	}
	if sel, ok := selected(d); !ok || sel != (common.ItemRef{Kind: "request", Env: "dev", Name: "Valid GET Request"}) {
		t.Errorf("selection after the import = %+v, want the first request", sel)
	}
}

// TestImportHTTPWithEnvFiles imports a real .http file with the JetBrains
// environment files beside it: private values go to the vault.
func TestImportHTTPWithEnvFiles(t *testing.T) {
	t.Parallel()
	v, _, catPath := fileVault(t)
	dir := filepath.Join(corpus, "http", "hmcts-vp")
	d, h, m := importScreen(t, v, filepath.Join(dir, "Courthouses.http"))
	if m.Format() != interchange.FormatHTTP {
		t.Fatalf("format %q", m.Format())
	}
	s := flat(d.Screen())
	if !strings.Contains(s, `into environment "dev": 2 requests`) || !strings.Contains(s, `request "Get court house by court ID"`) {
		t.Errorf("report:\n%s", s)
	}
	waitImported(t, d, h, m)
	cat := uitest.Catalog(v)
	if _, ok := cat.Request("dev", "Get court house by court ID"); !ok {
		t.Error("the request was not imported")
	}
	if _, ok := cat.Env("prod"); !ok {
		t.Error("the environments of http-client.env.json were not imported")
	}
	private := readPrivateValues(t, filepath.Join(dir, "http-client.private.env.json"))
	catalog := readBytes(t, catPath)
	vars, err := v.Vars(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	for name, val := range private["dev"] {
		if vars[name] != val {
			t.Errorf("private variable %q not in the vault", name)
		}
		if len(val) > 3 && bytes.Contains(catalog, []byte(val)) {
			t.Errorf("private variable %q's value is in catalog.json", name)
		}
	}
}

// readPrivateValues reads an http-client.private.env.json's string values.
func readPrivateValues(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	var out map[string]map[string]any
	if err := json.Unmarshal(readBytes(t, path), &out); err != nil {
		t.Fatal(err)
	}
	vals := map[string]map[string]string{}
	for env, vars := range out {
		vals[env] = map[string]string{}
		for k, v := range vars {
			if s, ok := v.(string); ok {
				vals[env][k] = s
			}
		}
	}
	if len(vals["dev"]) == 0 {
		t.Fatalf("%s has no dev values", path)
	}
	return vals
}

// TestImportCurl imports a real curl command line with -u: the request is
// saved, the credentials become a secret in the vault, not in the catalog.
func TestImportCurl(t *testing.T) {
	t.Parallel()
	v, mem, catPath := fileVault(t)
	d, h, m := importScreen(t, v, filepath.Join(corpus, "curl", "curlconverter", "get_basic_auth.sh"))
	if m.Format() != interchange.FormatCurl {
		t.Fatalf("format %q", m.Format())
	}
	if s := flat(d.Screen()); !strings.Contains(s, `1 request, 0 variables, 0 secret variables, 1 secret`) || strings.Contains(s, "some_password") {
		t.Errorf("report:\n%s", s)
	}
	waitImported(t, d, h, m)
	cat := uitest.Catalog(v)
	if len(cat.Requests) != 1 || cat.Requests[0].URL != "http://localhost:28139/" {
		t.Fatalf("requests = %+v", cat.Requests)
	}
	if bytes.Contains(readBytes(t, catPath), []byte("some_password")) {
		t.Error("the curl password is in catalog.json")
	}
	if len(mem.Keys()) == 0 {
		t.Error("no value went to the vault")
	}
	if sel, ok := selected(d); !ok || sel.Name != cat.Requests[0].Name || sel.Kind != "request" {
		t.Errorf("selection = %+v", sel)
	}
}

// TestImportBrokenFileChangesNothing: a real collection cut short is
// refused with the file, line and column of the problem, and nothing
// changes; enter imports nothing.
func TestImportBrokenFileChangesNothing(t *testing.T) {
	t.Parallel()
	v, mem, catPath := fileVault(t)
	data := readBytes(t, filepath.Join(corpus, "postman", "bruno-import-issues.postman_collection.json"))
	// Drop the comma after the first item: a syntax error at a known place.
	i := bytes.Index(data, []byte(`"name": "Missing Method (null)"`))
	j := bytes.LastIndex(data[:i], []byte(","))
	if i < 0 || j < 0 {
		t.Fatal("the corpus file changed")
	}
	broken := append(append([]byte(nil), data[:j]...), data[j+1:]...)
	path := filepath.Join(t.TempDir(), "broken.postman_collection.json")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	before := readBytes(t, catPath)
	d, _, m := importScreen(t, v, path)
	ps := interchange.Problems(m.Err())
	if len(ps) == 0 || ps[0].Line == 0 {
		t.Fatalf("err = %v, want problems with a position", m.Err())
	}
	s := flat(d.Screen())
	where := path + ": line "
	if !strings.Contains(s, "Nothing can be imported") || !strings.Contains(s, where) {
		t.Errorf("screen does not name %q:\n%s", where, s)
	}
	if m.KeyMap().Import.Enabled() {
		t.Error("import is offered despite problems")
	}
	d.Press("enter")
	if !bytes.Equal(before, readBytes(t, catPath)) || len(mem.Keys()) != 0 {
		t.Error("a refused import changed the workspace")
	}
}

// TestImportProblemsStoreNothing covers S-36/S-37: problems are listed with
// their place, and nothing is stored.
func TestImportProblemsStoreNothing(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	before := len(uitest.Catalog(v).Secrets)
	d, _, m := importFile(t, v, badFile)
	if m.Err() == nil {
		t.Fatal("a clashing name was accepted")
	}
	s := d.Screen()
	if !strings.Contains(s, "Nothing can be imported") || !strings.Contains(s, "weather-key") {
		t.Errorf("report:\n%s", s)
	}
	if m.KeyMap().Import.Enabled() {
		t.Error("import is offered despite problems")
	}
	d.Press("enter")
	if n := len(uitest.Catalog(v).Secrets); n != before {
		t.Errorf("secrets %d → %d after a refused import", before, n)
	}

	d2, _, m2 := importFile(t, v, "{\n \"data\": {\n  \"type\": \"API_KEY\" \"name\": \"x\"}}")
	if m2.Err() == nil || !strings.Contains(d2.Screen(), "line 3") {
		t.Errorf("syntax error without its line:\n%s", d2.Screen())
	}
}

// TestImportSecretServiceAsksForMethod: the client authentication field is
// hidden until the file is known to be secret-service JSON; after a
// refusal for want of it, b shows it, and the import goes through.
func TestImportSecretServiceAsksForMethod(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	clients := strings.NewReplacer(`"<redirect URI>"`, `"http://127.0.0.1:8765/callback"`,
		`"<authorization URL>"`, `"https://id.example.com/authorize"`,
		`"<access token URL>"`, `"https://id.example.com/token"`).Replace(ssfixtures.Examples(t)[ssfixtures.OAuthClient])
	d, h, m := importFile(t, v, clients)
	if !strings.Contains(d.Screen(), "authMethod") || m.KeyMap().Import.Enabled() {
		t.Fatalf("a client without its authentication method was accepted:\n%s", d.Screen())
	}
	d.Press("b")
	if !m.Capturing() {
		t.Fatal("b did not reopen the form")
	}
	// the path and format are kept; the method select now shows
	d.Press("enter", "enter")
	if !strings.Contains(d.Screen(), "Client authentication") {
		t.Fatalf("the method select is not shown:\n%s", d.Screen())
	}
	d.Press("down", "enter")
	d.Wait(30*time.Second, "the report", func() bool { return m.phase == reporting })
	waitImported(t, d, h, m)
	if ac, ok := uitest.Catalog(v).Client("dev", "<some identifiable name>"); !ok || ac.AuthMethod != vault.AuthMethods[0] {
		t.Error("the client was not imported")
	}
}

// TestImportFormatOverride: a format chosen instead of detected is the one
// read, and the report says so.
func TestImportFormatOverride(t *testing.T) {
	t.Parallel()
	v, _, _ := fileVault(t)
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, m := importScreen(t, v, path)
	if m.Err() == nil || !strings.Contains(d.Screen(), "not recognised") {
		t.Fatalf("an unknown file was read: %v\n%s", m.Err(), d.Screen())
	}
	// choose curl (the second format after "detect") for a file that holds a command
	if err := os.WriteFile(path, []byte("# copied from the docs\ncurl https://api.example.test/v1/ping\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.Press("b", "enter", "down", "down", "enter")
	d.Wait(30*time.Second, "the report", func() bool { return m.phase == reporting })
	if m.Format() != interchange.FormatCurl || m.Err() != nil {
		t.Fatalf("format %q, err %v", m.Format(), m.Err())
	}
	if !strings.Contains(d.Screen(), "Format: curl command lines (chosen)") {
		t.Errorf("screen:\n%s", d.Screen())
	}
}

func TestImportMissingFile(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, _, _ := importScreen(t, v, filepath.Join(t.TempDir(), "nope.json"))
	if !strings.Contains(d.Screen(), "no such file") || !strings.Contains(d.Screen(), "Nothing was changed") {
		t.Errorf("screen:\n%s", d.Screen())
	}
	m := d.Model.(*uitest.Host).Screen.(*Model)
	d.Press("b")
	if !m.Capturing() {
		t.Error("b did not go back to the file form")
	}
}

// TestImportHomePath: ~ in the path is the home folder. The path is typed
// key by key, as a user enters it (the other tests paste theirs).
func TestImportHomePath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	data := readBytes(t, filepath.Join(corpus, "curl", "curlconverter", "get_basic_auth.sh"))
	if err := os.WriteFile(filepath.Join(home, "cmd.sh"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	v, _, _ := fileVault(t)
	_, _, m := importTyped(t, v, "~/cmd.sh")
	if m.Err() != nil || m.Plan() == nil || len(m.Plan().Batch.Requests) != 1 {
		t.Errorf("~/cmd.sh: err %v", m.Err())
	}
}

// TestImportOtherFormats: an OpenAPI document, an Insomnia export and a
// Bruno collection's folder (real files) are detected and imported whole
// through the screen, with the counts the CLI reports.
func TestImportOtherFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path   string
		format interchange.Format
		counts string
	}{
		{filepath.Join(corpus, "openapi", "oai-v3.0-petstore-expanded.yaml"), interchange.FormatOpenAPI, "4 requests, 1 variable"},
		{filepath.Join(corpus, "insomnia", "smoke-simple.yaml"), interchange.FormatInsomnia, "3 requests, 6 variables"},
		{filepath.Join(corpus, "bruno", "bruno-tests"), interchange.FormatBruno, "41 requests, 64 variables, 36 secret variables"},
	}
	for _, c := range cases {
		t.Run(string(c.format), func(t *testing.T) {
			t.Parallel()
			v, _, _ := fileVault(t)
			d, h, m := importScreen(t, v, c.path)
			if m.Format() != c.format {
				t.Fatalf("format %q, want %q", m.Format(), c.format)
			}
			if s := flat(d.Screen()); !strings.Contains(s, `into environment "dev": `+c.counts) {
				t.Errorf("report:\n%s", s)
			}
			waitImported(t, d, h, m)
			if n := len(uitest.Catalog(v).Requests); n != len(m.Plan().Batch.Requests) || n == 0 {
				t.Errorf("%d requests stored, the plan had %d", n, len(m.Plan().Batch.Requests))
			}
		})
	}
}

// TestImportTinyTerminal: the form and the report fit a 20×6 terminal.
func TestImportTinyTerminal(t *testing.T) {
	t.Parallel()
	v, _, _ := fileVault(t)
	d, _, m := importScreen(t, v, filepath.Join(corpus, "postman", "fixer.postman_collection.json"))
	for _, phase := range []string{"report", "form"} {
		if phase == "form" {
			d.Press("b")
		}
		d.Send(tea.WindowSizeMsg{Width: 20, Height: 6})
		s := d.Screen()
		if strings.TrimSpace(s) == "" {
			t.Fatalf("%s: empty screen at 20×6", phase)
		}
		if phase == "report" {
			for _, l := range strings.Split(s, "\n") {
				if w := ansi.StringWidth(l); w > 20 {
					t.Errorf("report line %q is %d wide at 20×6", l, w)
				}
			}
		}
	}
	if !m.Capturing() {
		t.Error("b did not reopen the form")
	}
}
