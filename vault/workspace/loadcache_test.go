package workspace

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// backdate sets every file and directory of the folder back an hour, as a
// folder nobody wrote to lately is.
func backdate(t *testing.T, root string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoadParsesAgainOnlyWhenTheFolderChanged: a second Load of a folder
// nothing wrote to uses what the first one read (no file parsed again),
// hands out a catalog that shares nothing with it, and any change — an
// in-place edit of the same size included — is read; a folder changed in
// the last seconds is read every time (file times are coarse).
func TestLoadParsesAgainOnlyWhenTheFolderChanged(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "repo", DefaultFolder)
	if _, err := Init(root, InitOptions{Name: "payments"}); err != nil {
		t.Fatal(err)
	}
	w, err := Open(root, Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(w, w.Store(vault.NewMemoryStore()))
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(context.Background(), vault.Secret{Meta: vault.Meta{Name: "k", Env: "dev", Description: "one"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "value-0001"}); err != nil {
		t.Fatal(err)
	}
	desc := func() string {
		t.Helper()
		c, err := w.Load()
		if err != nil {
			t.Fatal(err)
		}
		s, ok := c.Secret("dev", "k")
		if !ok {
			t.Fatal("secret k is gone")
		}
		d := s.Description
		s.Description = "changed by the caller" // must not reach the next Load
		c.Environments[0].Name = "renamed by the caller"
		return d
	}
	// Just written: read every time.
	if desc(); w.loaded != nil {
		t.Error("a folder changed a moment ago was trusted by its fingerprint")
	}
	backdate(t, root)
	if d := desc(); d != "one" || w.loaded == nil {
		t.Fatalf("description %q, snapshot kept %v", d, w.loaded != nil)
	}
	kept := w.loaded
	if d := desc(); d != "one" || w.loaded != kept {
		t.Fatalf("unchanged folder: description %q, read again %v", d, w.loaded != kept)
	}
	if c, _ := w.Load(); c.Environments[0].Name == "renamed by the caller" {
		t.Fatal("a caller's change to its catalog reached the kept snapshot")
	}
	// An editor's in-place save of the same size, an hour later than the
	// folder's other files.
	file := filepath.Join(root, filepath.FromSlash(secretPath("dev", "k")))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte(`"one"`), []byte(`"two"`), 1)
	if bytes.Equal(edited, data) {
		t.Fatalf("the secret's file holds no description: %s", data)
	}
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if d := desc(); d != "two" {
		t.Fatalf("after an in-place edit: description %q, want two", d)
	}
	backdate(t, root)
	if d := desc(); d != "two" || w.loaded == nil {
		t.Fatalf("description %q, snapshot kept %v", d, w.loaded != nil)
	}
	// A new file, dated in the past as a checkout can date it.
	if _, err := v.UpdateEnv("dev", func(e *vault.Environment) { e.Description = "changed" }); err != nil {
		t.Fatal(err)
	}
	backdate(t, root)
	c, err := w.Load()
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Env("dev"); e.Description != "changed" {
		t.Errorf("a change dated in the past was not read: %q", e.Description)
	}
}

// TestRecoverReadsNothingInATeamWorkspace: a team workspace keeps no
// intents (a change of several files is journaled in the folder and
// finished by every read), so vault.Recover, which every command runs
// first, has nothing to read the folder for — a folder with a file that
// does not read recovers cleanly and the error is Load's to report, with
// its file and line.
func TestRecoverReadsNothingInATeamWorkspace(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "repo", DefaultFolder)
	if _, err := Init(root, InitOptions{Name: "payments"}); err != nil {
		t.Fatal(err)
	}
	w, err := Open(root, Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(w, w.Store(vault.NewMemoryStore()))
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	intent := vault.Intent{ID: "i1", Keys: []string{"secret/x"}, Started: time.Now()}
	if _, err := w.Update(func(c *vault.Catalog) error { c.Pending = append(c.Pending, intent); return nil }); err != nil {
		t.Fatal(err)
	}
	c, err := w.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !w.KeepsNoIntents() || len(c.Pending) != 0 {
		t.Fatalf("the workspace keeps intents now (%d pending): Recover must read them, KeepsNoIntents must say false", len(c.Pending))
	}
	env := filepath.Join(root, "environments", "dev", envFileName)
	if err := os.WriteFile(env, []byte("{\"description\": \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := v.Recover(context.Background())
	if err != nil || !r.Empty() {
		t.Fatalf("Recover read the folder: %v, %v", r, err)
	}
	var fe *FileError
	if _, err := w.Load(); !errors.As(err, &fe) || fe.Line == 0 {
		t.Fatalf("Load of a broken file: %v, want the file and line", err)
	}
}
