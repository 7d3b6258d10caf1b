package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func addEnvFn(name string) func(*Catalog) error {
	return func(c *Catalog) error {
		if _, ok := c.Env(name); ok {
			return &ExistsError{Kind: "environment", Name: name}
		}
		c.Environments = append(c.Environments, Environment{ID: NewID(), Name: name})
		return nil
	}
}

// A change prepared aside is invisible until committed; committed over the
// catalog it was computed on, it is put in place as it is; when another
// change landed in between, it is computed again on the latest catalog, so
// neither change is lost. Aborted, it leaves nothing behind.
func TestCatalogPreparedChange(t *testing.T) {
	t.Parallel()
	t.Run("unchanged", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, err := OpenFileCatalog(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Load(); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(f.path)
		p, err := f.prepare(addEnvFn("staging"))
		if err != nil {
			t.Fatal(err)
		}
		if now, _ := os.ReadFile(f.path); string(now) != string(before) {
			t.Fatal("preparing a change changed the catalog")
		}
		if _, err := p.commit(); err != nil {
			t.Fatal(err)
		}
		c, err := f.Load()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Env("staging"); !ok {
			t.Fatal("the committed change is not in the catalog")
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Fatalf("files left aside: %q", l)
		}
	})
	t.Run("another change in between", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, _ := OpenFileCatalog(dir)
		other, _ := OpenFileCatalog(dir) // another process
		if _, err := f.Load(); err != nil {
			t.Fatal(err)
		}
		p, err := f.prepare(addEnvFn("staging"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Update(addEnvFn("prod")); err != nil {
			t.Fatal(err)
		}
		if _, err := p.commit(); err != nil {
			t.Fatal(err)
		}
		c, _ := other.Load()
		for _, name := range []string{"staging", "prod"} {
			if _, ok := c.Env(name); !ok {
				t.Errorf("environment %q was lost", name)
			}
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Fatalf("files left aside: %q", l)
		}
	})
	t.Run("the change no longer applies", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, _ := OpenFileCatalog(dir)
		other, _ := OpenFileCatalog(dir)
		if _, err := f.Load(); err != nil {
			t.Fatal(err)
		}
		p, err := f.prepare(addEnvFn("staging"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Update(addEnvFn("staging")); err != nil {
			t.Fatal(err)
		}
		if _, err := p.commit(); !errors.Is(err, ErrExists) {
			t.Fatalf("commit after another process made the same environment: err = %v, want ErrExists", err)
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Fatalf("files left aside: %q", l)
		}
	})
	t.Run("abort", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, _ := OpenFileCatalog(dir)
		if _, err := f.Load(); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(f.path)
		p, err := f.prepare(addEnvFn("staging"))
		if err != nil {
			t.Fatal(err)
		}
		p.abort()
		if now, _ := os.ReadFile(f.path); string(now) != string(before) {
			t.Fatal("an aborted change changed the catalog")
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Fatalf("files left aside: %q", l)
		}
	})
	t.Run("failing change", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, _ := OpenFileCatalog(dir)
		if _, err := f.Load(); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if _, err := f.prepare(func(*Catalog) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Fatalf("files left aside: %q", l)
		}
	})
	t.Run("no catalog yet", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		f, _ := OpenFileCatalog(dir)
		p, err := f.prepare(addEnvFn("staging"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.commit()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Env("staging"); !ok {
			t.Fatal("the change is missing from the new catalog")
		}
		if _, ok := c.Env(DefaultEnv); !ok {
			t.Fatal("the new catalog has no default environment")
		}
	})
}

// A store write that fails leaves the file catalog as it was and nothing
// aside, though the catalog change was being prepared meanwhile.
func TestCommitStoreFailureLeavesCatalogAndNothingAside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cat, err := OpenFileCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	v := New(cat, failingApply{NewMemoryStore()})
	if _, err := cat.Load(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(cat.path)
	_, err = v.PutSecret(t.Context(), Secret{Meta: Meta{Name: "k", Env: DefaultEnv}, Type: TypeAPIKey}, &SecretValue{Key: "v"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want the store failure", err)
	}
	if now, _ := os.ReadFile(cat.path); string(now) != string(before) {
		t.Fatal("the catalog changed though the store write failed")
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("files left aside: %q", l)
	}
}

type failingApply struct{ *MemoryStore }

func (failingApply) Apply(_ context.Context, changes []Change) ([]Change, error) {
	return nil, &StoreError{Op: "apply", Backend: BackendMemory, Err: ErrUnavailable}
}
