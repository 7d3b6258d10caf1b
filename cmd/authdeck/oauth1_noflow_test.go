package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// TestOAuth1TokenNoFlow: a Postman oauth1 block imports as an OAuth 1.0a
// auth client without a flow and its token credentials; `authdeck token`
// prints the stored token and says there is no flow to run, --force is
// refused in the same words, and `authdeck request` signs with the stored
// credentials requests the playground provider accepts.
func TestOAuth1TokenNoFlow(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	// Token credentials the provider knows, from its flow.
	addOAuth1(t, h, o, "flow", "HMAC-SHA1")
	var b oauth1provider.Browsers
	if r := h.runOpened(b.Opener(approve), "", "token", "flow"); r.code != 0 {
		t.Fatalf("token flow: exit %d:\n%s", r.code, r.err)
	}
	waitBrowsers(t, &b)
	tok := h.secretValue(vault.DefaultEnv, "flow")

	block := []map[string]any{
		{"key": "consumerKey", "value": o.ConsumerKey},
		{"key": "consumerSecret", "value": o.ConsumerSecret},
		{"key": "token", "value": tok.Token},
		{"key": "tokenSecret", "value": tok.TokenSecret},
		{"key": "signatureMethod", "value": "HMAC-SHA1"},
		{"key": "realm", "value": "Photos"},
		{"key": "addParamsToHeader", "value": true},
	}
	coll := map[string]any{
		"info": map[string]any{"name": "Photos API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
		"auth": map[string]any{"type": "oauth1", "oauth1": block},
		"item": []map[string]any{{"name": "photo", "request": map[string]any{"method": "GET", "url": o.PhotosURL + "?file=vacation.jpg"}}},
	}
	data, _ := json.Marshal(coll)
	file := filepath.Join(t.TempDir(), "photos.postman_collection.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	imp := h.must("", "import", "postman", file)
	noSecret(t, imp, o.ConsumerSecret, tok.TokenSecret, tok.Token)
	const client, secret = "Photos API oauth1", "Photos API oauth1 token"
	ac, ok := h.catalog().Client(vault.DefaultEnv, client)
	if !ok || ac.HasOAuth1Flow() || ac.Realm != "Photos" {
		t.Fatalf("imported client %+v (found %v)", ac, ok)
	}

	for _, name := range []string{client, secret} {
		r := h.must("", "token", name)
		if r.out != tok.Token+"\n" || !strings.Contains(r.err, `auth client "Photos API oauth1" has no flow to run`) || !strings.Contains(r.err, "authdeck request METHOD URL --auth") {
			t.Errorf("token %s: stdout %d bytes, stderr:\n%s", name, len(r.out), r.err)
		}
		noSecret(t, r, o.ConsumerSecret, tok.TokenSecret)
	}
	h.expect(exitNotConfigured, []string{`auth client "Photos API oauth1" has no flow to run`}, "", "token", client, "--force")

	r := h.must("", "request", "GET", o.PhotosURL+"?file=vacation.jpg", "--auth", client, "-v")
	var got map[string]string
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("body %q: %v\nstderr:\n%s", r.out, err, r.err)
	}
	if got["method"] != "HMAC-SHA1" || got["placement"] != "header" || got["file"] != "vacation.jpg" {
		t.Errorf("the provider saw %v", got)
	}
	if !strings.Contains(r.err, `realm="Photos"`) {
		t.Errorf("-v does not show the realm in the Authorization header:\n%s", r.err)
	}
	noSecret(t, r, o.ConsumerSecret, tok.TokenSecret, tok.Token)
}
