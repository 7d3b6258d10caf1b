package interchange

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPostmanEnvironmentWithoutName: a Postman environment exported without
// a name (the corpus's insomnia-env-no-name, from Insomnia's importer
// fixtures) imports without --env into an environment named after its
// file, as `import --help` promises; read from stdin (no file name) it is
// refused with what to do, and nothing is stored.
func TestPostmanEnvironmentWithoutName(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "corpus", "postman", "insomnia-env-no-name.postman_environment.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := newImportFixture(t, 0)
	c, _ := f.v.Load()
	b, notes, err := ParsePostman(data, RequestImportOptions{Catalog: c, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	vars, err := f.v.Vars(context.Background(), "insomnia-env-no-name")
	if err != nil {
		t.Fatal(err)
	}
	if vars["foo-and-bar"] != "production-env" {
		t.Fatalf("vars %v", vars)
	}
	if _, ok := vars["disabled-key"]; ok {
		t.Error("a disabled value was imported")
	}
	if !hasNote(notes, NoteCreated, `environment "insomnia-env-no-name"`) {
		t.Errorf("notes %v", notes)
	}
	for _, p := range []string{"", "-"} {
		_, _, err = ParsePostman(data, RequestImportOptions{Catalog: c, Path: p})
		if err == nil || !strings.Contains(err.Error(), "--env NAME") {
			t.Fatalf("from stdin: %v", err)
		}
	}
	for path, want := range map[string]string{
		"/x/Staging.postman_environment.json": "Staging",
		"prod.json":                           "prod",
		"dev.env":                             "dev.env",
	} {
		if got := pmEnvNameFromPath(path); got != want {
			t.Errorf("pmEnvNameFromPath(%q) = %q, want %q", path, got, want)
		}
	}
}
