package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestParseOnEveryCoreKeepsTheFolderOrder: the files of a large folder
// are parsed on every core at once, and the folder read is the same as one
// file after the other: items in the order of the listing, and of two
// broken files always the first one reported.
func TestParseOnEveryCoreKeepsTheFolderOrder(t *testing.T) {
	t.Parallel()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("one core: the files are parsed one after the other")
	}
	root := newFolder(t)
	p := newPerson(t, "bob")
	_, v := p.open(t, root)
	var batch vault.Batch
	for i := range 300 {
		name := fmt.Sprintf("item-%04d", i)
		switch i % 3 {
		case 0:
			batch.Secrets = append(batch.Secrets, vault.SecretItem{
				Secret: vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeAPIKey},
				Value:  vault.SecretValue{Key: "k-" + name},
			})
		case 1:
			batch.Clients = append(batch.Clients, vault.ClientItem{Client: vault.AuthClient{
				Meta: vault.Meta{Name: name, Env: vault.DefaultEnv},
				Type: vault.ClientOAuth2, Issuer: "https://login.example.test", ClientID: name, Grant: vault.GrantDeviceCode, AuthMethod: vault.AuthNone,
			}})
		default:
			batch.Requests = append(batch.Requests, vault.Request{
				Name: name, Env: vault.DefaultEnv, Folder: []string{fmt.Sprintf("f%d", i%4)}, Method: "GET", URL: "https://api.example.test/" + name,
			})
		}
	}
	if _, err := v.Apply(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	s, err := readSnapshot(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.clients) != 100 || len(s.secrets) != 100 || len(s.requests) != 100 || len(s.paths) != 301 {
		t.Fatalf("%d clients, %d secrets, %d requests, %d files", len(s.clients), len(s.secrets), len(s.requests), len(s.paths))
	}
	byName := func(a, b string) int { return strings.Compare(a, b) }
	names := func(n int, at func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	if c := names(len(s.clients), func(i int) string { return s.clients[i].Name }); !slices.IsSortedFunc(c, byName) {
		t.Errorf("clients out of the folder's order: %v", c)
	}
	if c := names(len(s.secrets), func(i int) string { return s.secrets[i].Name }); !slices.IsSortedFunc(c, byName) {
		t.Errorf("secrets out of the folder's order: %v", c)
	}
	if c := names(len(s.requests), func(i int) string { return s.paths[requestKey(s.requests[i].ID)] }); !slices.IsSortedFunc(c, byName) {
		t.Errorf("requests out of the folder's order: %v", c)
	}
	for _, r := range s.requests {
		if want := s.paths[requestKey(r.ID)]; want != requestPath(r.Env, r.Folder, r.Name) {
			t.Fatalf("request %s parsed as in %v", want, r.Folder)
		}
	}
	// Two broken files, a client listed before a secret.
	for _, rel := range []string{clientPath(vault.DefaultEnv, "item-0253"), secretPath(vault.DefaultEnv, "item-0003")} {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte("{\"description\": \n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		_, err := readSnapshot(root)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != clientPath(vault.DefaultEnv, "item-0253") {
			t.Fatalf("reported %v, want the client item-0253's file first", err)
		}
	}
}
