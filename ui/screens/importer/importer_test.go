package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

const goodFile = `[
 {"data": {"value": {"key": "imported-key-not-a-secret-01"}, "tenant": "acme", "type": "API_KEY", "name": "imported-key",}},
 {"data": {"value": {"username": "bob", "passphrase": "imported-pass-not-a-secret"}, "type": "SIMPLE", "name": "imported-basic"}}
]`

const badFile = `{"data": {"value": {"key": "x"}, "type": "API_KEY", "name": "weather-key"}}
`

func importFile(t *testing.T, v *vault.Vault, content string) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	c := uitest.NewCommon(v)
	m := New(c, "dev")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 100, 30)
	d.Type(path)
	d.Press("enter", "enter")
	d.Wait(5e9, "the report", func() bool { return m.phase == reporting })
	return d, h, m
}

func TestImportReportsThenImports(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, h, m := importFile(t, v, goodFile)
	if m.Err() != nil {
		t.Fatalf("parse error: %v", m.Err())
	}
	s := d.Screen()
	if !strings.Contains(s, "Ready to import 2 items into dev") || !strings.Contains(s, "imported-key") {
		t.Errorf("report:\n%s", s)
	}
	if strings.Contains(s, "imported-key-not-a-secret") || strings.Contains(s, "imported-pass") {
		t.Error("the report shows a secret value")
	}
	if _, ok := uitest.Catalog(v).Secret("dev", "imported-key"); ok {
		t.Fatal("something was stored before enter")
	}
	d.Press("enter")
	// A loaded machine may take longer than a settle to write the batch.
	d.Wait(30*time.Second, "the import to finish", func() bool { return h.Popped == 1 })
	s2, ok := uitest.Catalog(v).Secret("dev", "imported-key")
	if !ok || s2.Tenant != "acme" {
		t.Fatalf("imported secret = %+v", s2)
	}
	val, err := v.SecretValue(t.Context(), *s2)
	if err != nil || val.Key != "imported-key-not-a-secret-01" {
		t.Errorf("value not stored (err %v)", err)
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

func TestImportMissingFile(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 100, 30)
	d.Type(filepath.Join(t.TempDir(), "nope.json"))
	d.Press("enter", "enter")
	d.Wait(5e9, "the report", func() bool { return m.phase == reporting })
	if !strings.Contains(d.Screen(), "no such file") {
		t.Errorf("screen:\n%s", d.Screen())
	}
	d.Press("b")
	if !m.Capturing() {
		t.Error("b did not go back to the file form")
	}
}
