package workspace

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/authdeck/authdeck/vault"
)

// person is one teammate in a test: an authdeck home, an age key, a
// personal store and the workspace folder as they see it.
type person struct {
	name     string
	home     string
	keyPath  string
	member   Member
	personal *vault.MemoryStore
}

func newPerson(t *testing.T, name string) *person {
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
	m, err := ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	m.Name = name
	return &person{name: name, home: home, keyPath: keyPath, member: m, personal: vault.NewMemoryStore()}
}

// open opens the workspace at root as p, with a vault over it.
func (p *person) open(t *testing.T, root string) (*Workspace, *vault.Vault) {
	t.Helper()
	w, err := Open(root, Options{Home: p.home, Identity: IdentityOptions{Paths: []string{p.keyPath}, Explicit: true}})
	if err != nil {
		t.Fatal(err)
	}
	return w, vault.New(w, w.Store(p.personal))
}

// newFolder creates a workspace folder in a fresh directory.
func newFolder(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo", DefaultFolder)
	if _, err := Init(root, InitOptions{Name: "payments"}); err != nil {
		t.Fatal(err)
	}
	return root
}

// newDevVault opens the folder at root for a person with a fresh home and
// a memory store, and adds the environment dev.
func newDevVault(t *testing.T, root string) (*Workspace, *vault.Vault) {
	t.Helper()
	w, err := Open(root, Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(w, w.Store(vault.NewMemoryStore()))
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	return w, v
}

// tree lists the folder's files (relative, '/') with their content.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// noValueIn fails when any file under root holds value.
func noValueIn(t *testing.T, root, value string) {
	t.Helper()
	for p, c := range tree(t, root) {
		if strings.Contains(c, value) {
			t.Fatalf("S-45: %s holds a secret value", p)
		}
	}
}

func validUTF8(s string) bool { return utf8.ValidString(s) }
