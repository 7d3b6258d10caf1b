package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

const (
	sharedKey   = "sk_test_SHAREDsandbox0123456789abcdef"
	personalKey = "ghp_PERSONALtoken0123456789abcdefABCD"
	clientSec   = "cs-shared-client-secret-0123456789"
)

// S-45: the items of a team workspace are files of the folder, the folder
// holds no secret value, a shared value is encrypted to the team and opens
// for a teammate, a personal one stays in its owner's store.
func TestWorkspaceItemsAndValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := newFolder(t)
	alice, bob := newPerson(t, "alice"), newPerson(t, "bob")
	wa, va := alice.open(t, root)
	if _, err := wa.AddMember(alice.member); err != nil {
		t.Fatal(err)
	}
	if _, err := wa.AddMember(bob.member); err != nil {
		t.Fatal(err)
	}
	if _, err := va.AddEnv(vault.Environment{Name: "dev", Tenant: "acme"}); err != nil {
		t.Fatal(err)
	}
	if err := va.SetVar(ctx, "dev", "baseUrl", "https://api.example.com", false); err != nil {
		t.Fatal(err)
	}
	if err := va.SetVar(ctx, "dev", "apiToken", "tok-secret-var-0123456789", true); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: "dev", Shared: true}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://id.example.com/token"}, ClientID: "svc",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{"read"},
	}
	ac, err := va.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: clientSec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "stripe", Env: "dev", Shared: true}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: sharedKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "github", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: personalKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutRequest(vault.Request{
		Name: "List users", Env: "dev", Folder: []string{"Users"}, Method: "GET", URL: "{{baseUrl}}/users", Auth: "svc",
		Headers: []vault.Header{{Name: "Accept", Value: "application/json"}},
	}); err != nil {
		t.Fatal(err)
	}

	files := tree(t, root)
	for _, want := range []string{
		MarkerFile, "team/alice.pub", "team/bob.pub",
		"environments/dev/environment.json", "environments/dev/clients/svc.json", "environments/dev/clients/svc.age",
		"environments/dev/secrets/stripe.json", "environments/dev/secrets/stripe.age", "environments/dev/secrets/github.json",
		"environments/dev/requests/Users/List users.http",
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s in the folder; it has %v", want, keys(files))
		}
	}
	if _, ok := files["environments/dev/secrets/github.age"]; ok {
		t.Error("a personal secret has a shared value in the folder")
	}
	for _, v := range []string{sharedKey, personalKey, clientSec, "tok-secret-var-0123456789"} {
		noValueIn(t, root, v)
	}
	if got := files["environments/dev/requests/Users/List users.http"]; !strings.Contains(got, "GET {{baseUrl}}/users\nAccept: application/json\n") || !strings.Contains(got, "# @auth svc\n") {
		t.Errorf("request file:\n%s", got)
	}
	if strings.Contains(files["environments/dev/secrets/stripe.json"], "created") || strings.Contains(files["environments/dev/secrets/stripe.json"], "updated") {
		t.Errorf("a secret file carries times that change on every save:\n%s", files["environments/dev/secrets/stripe.json"])
	}

	// Bob opens the same folder: the shared values open with his key; the
	// personal ones are his to set.
	_, vb := bob.open(t, root)
	s, err := vb.Secret("dev", "stripe")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Shared || !slices.Equal(s.SharedWith, []string{"alice", "bob"}) {
		t.Errorf("stripe: shared %v with %v", s.Shared, s.SharedWith)
	}
	val, err := vb.SecretValue(ctx, s)
	if err != nil || val.Key != sharedKey {
		t.Fatalf("bob reads the shared secret: %v", err)
	}
	bac, err := vb.Client("dev", "svc")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := vb.ClientCredentials(ctx, bac)
	if err != nil || creds.ClientSecret != clientSec {
		t.Fatalf("bob reads the shared client secret: %v", err)
	}
	gh, _ := vb.Secret("dev", "github")
	_, err = vb.SecretValue(ctx, gh)
	var mv *MissingValueError
	if !errors.As(err, &mv) || !errors.Is(err, vault.ErrMissingInput) || !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("bob's missing personal value: %v", err)
	}
	if !strings.Contains(err.Error(), "authdeck secret set github --env dev") {
		t.Errorf("the missing value does not say how to set it: %v", err)
	}
	vars, err := vb.Vars(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vars["apiToken"]; ok || vars["baseUrl"] != "https://api.example.com" {
		t.Errorf("bob's variables: %v", vars)
	}
	// Bob's own value overrides the shared one, for him only.
	if err := vb.OverrideSecret(ctx, s, vault.SecretValue{Key: "sk_test_BOBSownsandbox0123456789"}); err != nil {
		t.Fatal(err)
	}
	if val, _ := vb.SecretValue(ctx, s); val.Key != "sk_test_BOBSownsandbox0123456789" {
		t.Error("bob's own value does not override the shared one")
	}
	sa, _ := va.Secret("dev", "stripe")
	if val, _ := va.SecretValue(ctx, sa); val.Key != sharedKey {
		t.Error("bob's own value changed alice's")
	}
	if err := vb.RemoveOverride(ctx, "secret", "dev", "stripe"); err != nil {
		t.Fatal(err)
	}
	if val, _ := vb.SecretValue(ctx, s); val.Key != sharedKey {
		t.Error("without bob's own value, the shared one is not used again")
	}
	if len(tree(t, root)) != len(files) {
		t.Errorf("setting a personal value changed the folder: %v", keys(tree(t, root)))
	}
}

// A change rewrites only the files of the items it changes; a token set
// is personal and never reaches the folder.
func TestWorkspaceChangesTouchOnlyTheirFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := newFolder(t)
	alice := newPerson(t, "alice")
	_, va := alice.open(t, root)
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "a", Env: "default"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutRequest(vault.Request{Name: "r", Env: "default", Method: "GET", URL: "https://x.example.com/"}); err != nil {
		t.Fatal(err)
	}
	before := tree(t, root)
	mtimes := map[string]int64{}
	for p := range before {
		fi, _ := os.Stat(filepath.Join(root, p))
		mtimes[p] = fi.ModTime().UnixNano()
	}
	va.Now = func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	// a token set, then a change of one request
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "tok", Env: "default"}, Type: vault.TypeOAuthToken}, &vault.SecretValue{AccessToken: "at-0123456789"}); err != nil {
		t.Fatal(err)
	}
	if err := va.UseEnv("default"); err != nil {
		t.Fatal(err)
	}
	r, _ := va.SavedRequest("default", "r")
	r.URL = "https://y.example.com/"
	if _, err := va.PutRequest(r); err != nil {
		t.Fatal(err)
	}
	after := tree(t, root)
	if len(after) != len(before) {
		t.Fatalf("files before %v, after %v", keys(before), keys(after))
	}
	for p, c := range after {
		fi, _ := os.Stat(filepath.Join(root, p))
		changed := c != before[p] || fi.ModTime().UnixNano() != mtimes[p]
		if changed != (p == "environments/default/requests/r.http") {
			t.Errorf("%s changed: %v", p, changed)
		}
	}
	c, err := va.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Secret("default", "tok"); !ok {
		t.Error("the token set is gone from the catalog")
	}
}

// BenchmarkLoad1000 reads a workspace folder of 1,000 items (one file
// each) into a catalog, as every command and the TUI's start do: parsed,
// from the parse the last process kept, and again in one process.
//
//	go test -run '^$' -bench BenchmarkLoad -benchmem ./vault/workspace
func BenchmarkLoad1000(b *testing.B) {
	root := filepath.Join(b.TempDir(), "repo", DefaultFolder)
	if _, err := Init(root, InitOptions{Name: "payments"}); err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	w, err := Open(root, Options{Home: home})
	if err != nil {
		b.Fatal(err)
	}
	var batch vault.Batch
	for i := range 1000 {
		name := fmt.Sprintf("item-%04d", i)
		switch i % 3 {
		case 0:
			batch.Clients = append(batch.Clients, vault.ClientItem{Client: vault.AuthClient{
				Meta: vault.Meta{Name: name, Env: vault.DefaultEnv},
				Type: vault.ClientOAuth2, Issuer: "https://login.example.test", ClientID: name, Grant: vault.GrantDeviceCode, AuthMethod: vault.AuthNone,
			}})
		case 1:
			batch.Secrets = append(batch.Secrets, vault.SecretItem{
				Secret: vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeAPIKey},
				Value:  vault.SecretValue{Key: "k-" + name},
			})
		default:
			batch.Requests = append(batch.Requests, vault.Request{
				Name: name, Env: vault.DefaultEnv, Method: "GET",
				URL: "https://api.example.test/" + name, Headers: []vault.Header{{Name: "Accept", Value: "application/json"}},
			})
		}
	}
	if _, err := vault.New(w, w.Store(vault.NewMemoryStore())).Apply(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	load := func(b *testing.B, w *Workspace) {
		c, err := w.Load()
		if err != nil || len(c.Clients)+len(c.Secrets)+len(c.Requests) != 1000 {
			b.Fatalf("%v", err)
		}
	}
	measure := func(b *testing.B, each func(*testing.B)) {
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			each(b)
		}
		if cpu := processCPU() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		}
	}
	old := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	// The first Load of a process after the folder changed parses every
	// file (and keeps the parse for the next process).
	b.Run("first", func(b *testing.B) {
		measure(b, func(b *testing.B) {
			w, err := Open(root, Options{Home: home})
			if err != nil {
				b.Fatal(err)
			}
			if err := os.Remove(w.cachePath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				b.Fatal(err)
			}
			load(b, w)
			if w.parses != 1 {
				b.Fatalf("parsed %d times", w.parses)
			}
		})
	})
	// The first Load of a process when the folder is as the last process
	// parsed it: a stat per file and the kept parse.
	b.Run("next-process", func(b *testing.B) {
		measure(b, func(b *testing.B) {
			w, err := Open(root, Options{Home: home})
			if err != nil {
				b.Fatal(err)
			}
			load(b, w)
			if w.parses != 0 {
				b.Fatalf("parsed %d times", w.parses)
			}
		})
	})
	// Another Load in the same process of a folder nobody wrote to since.
	b.Run("unchanged", func(b *testing.B) {
		load(b, w)
		measure(b, func(b *testing.B) { load(b, w) })
	})
}

// BenchmarkMissing333Unset lists what a newcomer still has to set in a
// workspace of 333 secrets with no value of theirs, as 'authdeck doctor'
// and the TUI's marks do: one store call an item, never a read of the
// whole folder per item.
//
//	go test -run '^$' -bench BenchmarkMissing -benchmem ./vault/workspace
func BenchmarkMissing333Unset(b *testing.B) {
	root := filepath.Join(b.TempDir(), "repo", DefaultFolder)
	if _, err := Init(root, InitOptions{Name: "payments"}); err != nil {
		b.Fatal(err)
	}
	w, err := Open(root, Options{Home: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	var batch vault.Batch
	for i := range 333 {
		name := fmt.Sprintf("item-%04d", i)
		batch.Secrets = append(batch.Secrets, vault.SecretItem{
			Secret: vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeAPIKey},
			Value:  vault.SecretValue{Key: "k-" + name},
		})
	}
	if _, err := vault.New(w, w.Store(vault.NewMemoryStore())).Apply(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	nw, err := Open(root, Options{Home: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	newcomer := vault.New(nw, nw.Store(vault.NewMemoryStore()))
	b.ReportAllocs()
	for b.Loop() {
		missing, err := Missing(context.Background(), newcomer)
		if err != nil || len(missing) != 333 {
			b.Fatalf("%d missing, %v", len(missing), err)
		}
	}
}
