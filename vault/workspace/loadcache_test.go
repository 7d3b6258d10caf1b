package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
	root := newFolder(t)
	w, v := newDevVault(t, root)
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
	parsed := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.parses
	}
	// Just written: read every time.
	n := parsed()
	if desc(); desc() == "" || parsed() != n+2 {
		t.Error("a folder changed a moment ago was trusted by its fingerprint")
	}
	backdate(t, root)
	n = parsed()
	if d := desc(); d != "one" || parsed() != n+1 {
		t.Fatalf("description %q, parsed %d times", d, parsed()-n)
	}
	if d := desc(); d != "one" || parsed() != n+1 {
		t.Fatalf("unchanged folder: description %q, parsed again %v", d, parsed() != n+1)
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
	n = parsed()
	if d := desc(); d != "two" || desc() != "two" || parsed() != n+1 {
		t.Fatalf("description %q, parsed %d times for two reads", d, parsed()-n)
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

// TestRecoverReadsNothingInATeamWorkspace: vault.Recover, which every
// command runs first, reads no file of the folder when no change is in
// flight (a team workspace keeps its intents outside the folder, in a file
// that exists only while there is one) — a folder with a file that does not
// read recovers cleanly and the error is Load's to report, with its file
// and line.
func TestRecoverReadsNothingInATeamWorkspace(t *testing.T) {
	t.Parallel()
	root := newFolder(t)
	w, v := newDevVault(t, root)
	if err := v.SetVar(context.Background(), "dev", "token", "tok-0123456789", true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.IntentsPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the intents file outlived the change: %v", err)
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

// TestCacheServesTheNextProcess: a process that finds the folder as the
// last one parsed it reads the kept parse instead of a thousand files, and
// gets the same catalog, members and shared values; the cache is the
// person's (0600, in their state directory, never in the folder) and holds
// no secret value; any change, a damaged cache, another folder path or
// another build parses the folder again.
func TestCacheServesTheNextProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := newFolder(t)
	alice, bob := newPerson(t, "alice"), newPerson(t, "bob")
	wa, va := alice.open(t, root)
	for _, m := range []Member{alice.member, bob.member} {
		if _, err := wa.AddMember(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := va.AddEnv(vault.Environment{Name: "dev", Tenant: "acme", Description: "the sandbox"}); err != nil {
		t.Fatal(err)
	}
	if err := va.SetVar(ctx, "dev", "baseUrl", "https://api.example.com", false); err != nil {
		t.Fatal(err)
	}
	if err := va.SetVar(ctx, "dev", "apiToken", "tok-secret-var-0123456789", true); err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: "dev", Shared: true, Expiration: &exp, AllowedHosts: []string{"api.example.com"}}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://id.example.com/token"}, ClientID: "svc",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{"read"}, RefreshSkew: vault.Duration(45 * time.Second),
	}
	if _, err := va.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: clientSec}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "stripe", Env: "dev", Shared: true}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: sharedKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "github", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: personalKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutRequest(vault.Request{
		Name: "List users", Env: "dev", Folder: []string{"Users"}, Method: "POST", URL: "{{baseUrl}}/users", Auth: "svc",
		Headers: []vault.Header{{Name: "Accept", Value: "application/json"}}, Body: "{\"a\": 1}\n",
	}); err != nil {
		t.Fatal(err)
	}
	backdate(t, root)

	// Bob's first process parses the folder and keeps the parse.
	first, _ := bob.open(t, root)
	want, err := first.Load()
	if err != nil {
		t.Fatal(err)
	}
	wantMembers, err := first.Members()
	if err != nil {
		t.Fatal(err)
	}
	if first.parses != 1 {
		t.Fatalf("the first process parsed the folder %d times", first.parses)
	}
	cache := first.cachePath()
	fi, err := os.Stat(cache)
	if err != nil {
		t.Fatalf("no cache kept: %v", err)
	}
	if fi.Mode().Perm() != 0o600 || !strings.HasPrefix(cache, bob.home) {
		t.Errorf("cache %s with mode %v", cache, fi.Mode().Perm())
	}
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{sharedKey, personalKey, clientSec, "tok-secret-var-0123456789"} {
		if strings.Contains(string(data), v) {
			t.Fatalf("the cache holds a secret value")
		}
	}

	// The next process parses nothing and sees the same workspace.
	next := func() (*Workspace, *vault.Vault, *vault.Catalog) {
		t.Helper()
		w, v := bob.open(t, root)
		c, err := w.Load()
		if err != nil {
			t.Fatal(err)
		}
		return w, v, c
	}
	w, vb, got := next()
	if w.parses != 0 {
		t.Errorf("an unchanged folder was parsed again (%d)", w.parses)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the cache:\n%+v\nparsed:\n%+v", got, want)
	}
	members, err := w.Members()
	if err != nil || !reflect.DeepEqual(members, wantMembers) {
		t.Errorf("members from the cache %+v (%v), want %+v", members, err, wantMembers)
	}
	s, err := vb.Secret("dev", "stripe")
	if err != nil {
		t.Fatal(err)
	}
	if val, err := vb.SecretValue(ctx, s); err != nil || val.Key != sharedKey {
		t.Fatalf("the shared value through the cache: %v", err)
	}
	e, _ := got.Env("dev")
	e.Description = "changed by the caller"
	again, err := w.Load()
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := again.Env("dev"); e.Description != "the sandbox" || w.parses != 0 {
		t.Fatalf("a caller's change reached what is kept (%q), or the folder was parsed (%d)", e.Description, w.parses)
	}

	// An in-place edit of the same size, dated an hour back like the rest.
	file := filepath.Join(root, filepath.FromSlash(envPath("dev")))
	envData, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, bytes.Replace(envData, []byte("the sandbox"), []byte("the Sandbox"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	backdate(t, root)
	w, _, got = next()
	if e, _ := got.Env("dev"); w.parses != 1 || e.Description != "the Sandbox" {
		t.Fatalf("after an edit: parsed %d times, description %q", w.parses, e.Description)
	}
	if w, _, _ = next(); w.parses != 0 {
		t.Errorf("the parse after the edit was not kept (%d)", w.parses)
	}

	// A damaged cache is parsed around, and written anew.
	if err := os.WriteFile(cache, []byte(`{"format":1,"paths":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	if w, _, _ = next(); w.parses != 1 {
		t.Errorf("a damaged cache: parsed %d times", w.parses)
	}
	if w, _, _ = next(); w.parses != 0 {
		t.Errorf("the damaged cache was not written anew (%d)", w.parses)
	}

	// Another build of authdeck parses again.
	data, err = os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, _ := bytes.Cut(data, []byte("\n"))
	var fc map[string]any
	if err := json.Unmarshal(head, &fc); err != nil {
		t.Fatal(err)
	}
	fc["build"] = "another authdeck"
	other, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	other = append(append(other, '\n'), rest...)
	if err := os.WriteFile(cache, other, 0o600); err != nil {
		t.Fatal(err)
	}
	if w, _, _ = next(); w.parses != 1 {
		t.Errorf("another build's cache: parsed %d times", w.parses)
	}

	// The same workspace checked out elsewhere keeps its own parse.
	copyRoot := filepath.Join(t.TempDir(), "clone", DefaultFolder)
	if err := os.CopyFS(copyRoot, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	backdate(t, copyRoot)
	wc, _ := bob.open(t, copyRoot)
	if _, err := wc.Load(); err != nil || wc.parses != 1 || wc.cachePath() == cache {
		t.Errorf("a second checkout: parsed %d times (%v), cache %s", wc.parses, err, wc.cachePath())
	}
	if w, _, _ = next(); w.parses != 0 {
		t.Errorf("the first checkout's cache was replaced by the second's (%d)", w.parses)
	}

	// A symbolic link in the folder is never trusted.
	if err := os.Symlink(file, filepath.Join(root, "link.json")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	for range 2 {
		if w, _, _ = next(); w.parses != 1 {
			t.Errorf("a folder with a symbolic link: parsed %d times", w.parses)
		}
	}
}
