package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// manyItemsCatalog is a catalog of n secrets, two auth clients, a saved
// request and two environments, as authdeck writes it.
func manyItemsCatalog(t testing.TB, n int) []byte {
	t.Helper()
	c := NewCatalog()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.Environments = append(c.Environments, Environment{ID: NewID(), Name: "dev", Created: now, Updated: now})
	for i := range 2 {
		c.Clients = append(c.Clients, AuthClient{
			Meta: Meta{ID: NewID(), Name: fmt.Sprintf("api-%d", i), Env: DefaultEnv, Created: now, Updated: now},
			Type: ClientOAuth2, ClientID: "c", Scopes: []string{"a", "b"},
		})
	}
	for i := range n {
		s := Secret{Meta: Meta{ID: NewID(), Name: fmt.Sprintf("key-%04d", i), Env: DefaultEnv, Created: now, Updated: now}, Type: TypeAPIKey}
		if i%100 == 0 {
			s.Description = `a "quoted" \ description [{`
		}
		c.Secrets = append(c.Secrets, s)
	}
	c.Requests = append(c.Requests, Request{ID: NewID(), Name: "r", Env: DefaultEnv, Method: "GET", URL: "https://example.com"})
	data, err := encodeCatalog(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCatalogLens(t *testing.T) {
	cases := []struct {
		data                             string
		envs, clients, secrets, requests int
	}{
		{data: string(manyItemsCatalog(t, 300)), envs: 2, clients: 2, secrets: 300, requests: 1},
		{data: `{"version":1}`},
		{data: `{"version":1,"secrets":[],"clients":null}`},
		{data: `{"secrets":[{"name":"a\"]}"},{"name":"\\"}],"clients":[{"x":{"secrets":[{},{}]}}]}`, clients: 1, secrets: 2},
		{data: `{"settings":{"secrets":[{},{}]},"requests":[{"headers":[{},{}]}]}`, requests: 1},
		{data: `{"secrets":[{"name":"unterminated`, secrets: 1},
		{data: `]]]}}}{"secrets":[{}]`},
	}
	for _, c := range cases {
		envs, clients, secrets, requests := catalogLens([]byte(c.data))
		if envs != c.envs || clients != c.clients || secrets != c.secrets || requests != c.requests {
			t.Errorf("%.60s: lens %d %d %d %d, want %d %d %d %d", c.data, envs, clients, secrets, requests, c.envs, c.clients, c.secrets, c.requests)
		}
	}
}

// Reading a catalog of 1,000 secrets allocates its lists once and no
// string of its own but those with escapes (they refer to the file's
// bytes), and reading one value of a vault document of 1,000 decodes that
// one only: a command that reads both stays below the size at which the
// runtime starts its first collection.
func TestReadAllocations(t *testing.T) {
	cat := manyItemsCatalog(t, 1000)
	c, err := parseCatalog("catalog.json", cat)
	if err != nil || len(c.Secrets) != 1000 {
		t.Fatalf("parse: %v (%d secrets)", err, len(c.Secrets))
	}
	if a := testing.AllocsPerRun(5, func() { _, _ = parseCatalog("catalog.json", cat) }); a > 40 {
		t.Errorf("reading a catalog of 1,000 secrets made %.0f allocations, want ≤ 40", a)
	}
	vals := map[string][]byte{}
	for i := range 1000 {
		vals[fmt.Sprintf("secret/%016x", i)] = []byte(fmt.Sprintf("k-%032x", i))
	}
	doc, err := encodeVault("vault.age", vals, maxFileVaultDoc)
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(5, func() { _, _ = parseVaultDoc("vault.age", doc, maxFileVaultDoc) }); a > 10 {
		t.Errorf("reading a vault document of 1,000 values made %.0f allocations, want ≤ 10", a)
	}
	if a := testing.AllocsPerRun(5, func() {
		vals, _ := parseVaultDoc("vault.age", doc, maxFileVaultDoc)
		_, _ = vals.get("secret/00000000000001f4")
	}); a > 12 {
		t.Errorf("reading one value of a vault document of 1,000 values made %.0f allocations, want ≤ 12", a)
	}
	// The catalog decodes as encoding/json decodes it.
	var std Catalog
	if err := json.Unmarshal(cat, &std); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(c)
	want, _ := json.Marshal(&std)
	if string(got) != string(want) {
		t.Fatal("the catalog read differs from encoding/json's reading")
	}
}

// fileContains finds the text wherever it lies, across the pieces it reads.
func TestFileContains(t *testing.T) {
	dir := t.TempDir()
	needle := []byte(`"pending":`)
	var offsets []int
	for o := 0; o < 12; o++ {
		offsets = append(offsets, o, 32<<10-o, 64<<10-o-len(needle), 64<<10-o, 70000-len(needle)-o)
	}
	for _, off := range offsets {
		data := bytes.Repeat([]byte{'x'}, 70000)
		copy(data[off:], needle)
		path := filepath.Join(dir, fmt.Sprintf("f%d", off))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if !fileContains(path, needle) {
			t.Errorf("the text at %d is not found", off)
		}
		data[off+3] = 'y'
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if fileContains(path, needle) {
			t.Errorf("a text that is not there is found (changed at %d)", off+3)
		}
	}
	if fileContains(filepath.Join(dir, "missing"), needle) {
		t.Error("a missing file contains the text")
	}
}
