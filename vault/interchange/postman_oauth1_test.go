package interchange_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// pmOAuth1Block is a Postman v2.1 oauth1 auth block.
func pmOAuth1Block(kv map[string]any) map[string]any {
	var list []map[string]any
	for k, v := range kv {
		list = append(list, map[string]any{"key": k, "value": v})
	}
	return map[string]any{"type": "oauth1", "oauth1": list}
}

// TestPostmanOAuth1Loopback imports a collection whose oauth1 blocks sit
// at the collection, a folder and requests (inherited, overridden, turned
// off), with {{variables}} in the secrets, every signature method Postman
// offers that authdeck signs with (HMAC-SHA1, HMAC-SHA256, PLAINTEXT,
// RSA-SHA1), a realm, the header, query and form-body placements and the
// body hash; sends every request to a loopback server; and has oauthlib,
// an independent OAuth 1.0a implementation, verify each signature as the
// server received it. No secret reaches the catalog file.
func TestPostmanOAuth1Loopback(t *testing.T) {
	t.Parallel()
	type got struct {
		method, url, body string
		header            http.Header
	}
	var mu sync.Mutex
	received := map[string]got{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		received[r.URL.Path] = got{r.Method, "http://" + r.Host + r.URL.RequestURI(), string(b), r.Header.Clone()}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))

	const (
		collSecret = "coll+secret/=&%"
		collTokSec = `coll "token" secret`
		foldSecret = "folder-consumer-secret"
		foldTokSec = "folder-token-secret"
		ptSecret   = "pt secret&"
		ptTokSec   = "pt token secret"
	)
	coll := map[string]any{
		"info": map[string]any{"name": "OAuth 1.0a on loopback", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
		"variable": []map[string]any{
			{"key": "base", "value": srv.URL},
			{"key": "ck", "value": "coll-key"},
			{"key": "consumer_secret", "value": collSecret},
			{"key": "tok", "value": "coll-token"},
			{"key": "tok_secret", "value": collTokSec},
		},
		"auth": pmOAuth1Block(map[string]any{
			"consumerKey": "{{ck}}", "consumerSecret": "{{consumer_secret}}", "token": "{{tok}}", "tokenSecret": "{{tok_secret}}",
			"signatureMethod": "HMAC-SHA1", "realm": "Example Realm", "addParamsToHeader": true, "addEmptyParamsToSign": false, "version": "1.0",
		}),
		"item": []map[string]any{
			{"name": "inherits", "request": map[string]any{"method": "GET", "url": "{{base}}/inherits?size=original&file=vacation%20photo.jpg"}},
			{
				"name": "folder", "auth": pmOAuth1Block(map[string]any{
					"consumerKey": "folder-key", "consumerSecret": foldSecret, "token": "folder-token", "tokenSecret": foldTokSec,
					"signatureMethod": "HMAC-SHA256", "addParamsToHeader": false, "includeBodyHash": true, "nonce": "fixed", "timestamp": "1",
				}),
				"item": []map[string]any{
					{"name": "form post", "request": map[string]any{
						"method": "POST", "url": "{{base}}/form?a=1",
						"body": map[string]any{"mode": "urlencoded", "urlencoded": []map[string]any{{"key": "c2", "value": ""}, {"key": "a3", "value": "2 q"}}},
					}},
					{"name": "json put", "request": map[string]any{
						"method": "PUT", "url": "{{base}}/json?x=y",
						"header": []map[string]any{{"key": "Content-Type", "value": "application/json"}},
						"body":   map[string]any{"mode": "raw", "raw": `{"pa\"ss": "w0rd"}`},
					}},
					{"name": "inherit in folder", "request": map[string]any{"method": "GET", "url": "{{base}}/folder-get", "auth": map[string]any{"type": "inherit"}}},
				},
			},
			{"name": "plaintext", "request": map[string]any{
				"method": "GET", "url": "{{base}}/plaintext",
				"auth": pmOAuth1Block(map[string]any{
					"consumerKey": "pt-key", "consumerSecret": ptSecret, "token": "pt-token", "tokenSecret": ptTokSec,
					"signatureMethod": "PLAINTEXT", "addParamsToHeader": true,
				}),
			}},
			{"name": "rsa", "request": map[string]any{
				"method": "POST", "url": "{{base}}/rsa", "body": map[string]any{"mode": "raw", "raw": "hello"},
				"auth": pmOAuth1Block(map[string]any{
					"consumerKey": "rsa-key", "privateKey": privPEM, "token": "rsa-token", "tokenSecret": "rsa-token-secret",
					"signatureMethod": "RSA-SHA1", "addParamsToHeader": true, "includeBodyHash": true,
				}),
			}},
			{"name": "none", "request": map[string]any{"method": "GET", "url": "{{base}}/none", "auth": map[string]any{"type": "noauth"}}},
		},
	}
	data, err := json.Marshal(coll)
	if err != nil {
		t.Fatal(err)
	}
	ws := newWorkspace(t)
	notes, err := ws.importInto(interchange.ParsePostman, data, ws.env)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	fixed := false
	for _, n := range notes {
		fixed = fixed || strings.Contains(n.Msg, "fixed nonce and timestamp are not reused")
	}
	if !fixed {
		t.Errorf("the folder block's fixed nonce and timestamp are not reported: %v", notes)
	}

	type want struct {
		oauth1Want
		pub string
	}
	wants := map[string]*want{
		"/inherits":   {oauth1Want: oauth1Want{ConsumerKey: "coll-key", Token: "coll-token", Method: "HMAC-SHA1", Realm: "Example Realm", Where: "header", ConsumerSecret: collSecret, TokenSecret: collTokSec}},
		"/form":       {oauth1Want: oauth1Want{ConsumerKey: "folder-key", Token: "folder-token", Method: "HMAC-SHA256", Where: "body", ConsumerSecret: foldSecret, TokenSecret: foldTokSec}},
		"/json":       {oauth1Want: oauth1Want{ConsumerKey: "folder-key", Token: "folder-token", Method: "HMAC-SHA256", Where: "query", ConsumerSecret: foldSecret, TokenSecret: foldTokSec, BodyHash: true}},
		"/folder-get": {oauth1Want: oauth1Want{ConsumerKey: "folder-key", Token: "folder-token", Method: "HMAC-SHA256", Where: "query", ConsumerSecret: foldSecret, TokenSecret: foldTokSec, BodyHash: true}},
		"/plaintext":  {oauth1Want: oauth1Want{ConsumerKey: "pt-key", Token: "pt-token", Method: "PLAINTEXT", Where: "header", ConsumerSecret: ptSecret, TokenSecret: ptTokSec}},
		"/rsa":        {oauth1Want: oauth1Want{ConsumerKey: "rsa-key", Token: "rsa-token", Method: "RSA-SHA1", Where: "header", TokenSecret: "rsa-token-secret", BodyHash: true}, pub: pubPEM},
		"/none":       nil,
	}

	c, err := ws.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &request.Sender{Vault: ws.v, Engine: staticTokens{o1: &oauth1.Engine{Vault: ws.v}}}
	reqs := c.RequestsIn(ws.env)
	if len(reqs) != len(wants) {
		t.Fatalf("%d requests imported, want %d", len(reqs), len(wants))
	}
	for _, r := range reqs {
		resp, err := s.Send(t.Context(), ws.env, request.SpecFromSaved(r), request.SendOptions{})
		if err != nil {
			t.Fatalf("send %q: %v", r.Name, err)
		}
		_ = resp.Discard()
	}

	var paths []string
	var items []oracleItem
	for path, w := range wants {
		g, ok := received[path]
		if !ok {
			t.Errorf("%s: nothing arrived", path)
			continue
		}
		if w == nil {
			if g.header.Get("Authorization") != "" || strings.Contains(g.url, "oauth_") {
				t.Errorf("%s: signed, though its auth is noauth: %s %v", path, g.url, g.header)
			}
			continue
		}
		it := oracleItem{Method: g.method, URL: g.url, Body: []byte(g.body), ConsumerSecret: w.ConsumerSecret, TokenSecret: w.TokenSecret, RSAPublicKey: w.pub}
		for name, vs := range g.header {
			for _, v := range vs {
				it.Headers = append(it.Headers, [2]string{name, v})
			}
		}
		paths = append(paths, path)
		items = append(items, it)
	}
	for i, v := range verifyOAuth1(t, items) {
		w, g := wants[paths[i]], received[paths[i]]
		if !w.signedAs(&v) {
			t.Errorf("%s: not signed as the block says: verdict %+v\n  request %s %s %v body %q", paths[i], v, g.method, g.url, g.header, g.body)
		}
	}
	if g := received["/form"]; !strings.Contains(g.body, "c2=&a3=2+q&") && !strings.Contains(g.body, "c2=&a3=2%20q&") {
		t.Errorf("form body %q lost its fields", g.body)
	}
	if g := received["/json"]; g.body != `{"pa\"ss": "w0rd"}` {
		t.Errorf("JSON body %q", g.body)
	}

	cat, err := os.ReadFile(ws.catPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{collSecret, collTokSec, "coll-token", foldSecret, foldTokSec, "folder-token", ptSecret, ptTokSec, "pt-token", "rsa-token", "PRIVATE KEY"} {
		if strings.Contains(string(cat), sec) || strings.Contains(string(cat), jsonQuote(sec)) {
			t.Errorf("catalog.json holds %q", sec)
		}
	}
	var clients int
	for _, ac := range c.Clients {
		if ac.Type == vault.ClientOAuth1 {
			clients++
			if ac.HasOAuth1Flow() {
				t.Errorf("client %q has flow URLs %+v", ac.Name, ac.Endpoints)
			}
		}
	}
	if clients != 4 {
		t.Errorf("%d OAuth 1.0a auth clients, want 4 (collection, folder, plaintext, rsa)", clients)
	}
}

// TestOAuth1OracleRefuses: the verifier fails a signature that does not
// hold (a tampered query, a wrong secret), so a pass means something.
func TestOAuth1OracleRefuses(t *testing.T) {
	t.Parallel()
	sig := &oauth1.Signer{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts", Method: oauth1.HMACSHA1}
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/r?a=1", nil)
	if err := sig.Sign(req); err != nil {
		t.Fatal(err)
	}
	item := oracleItem{Method: "GET", URL: req.URL.String(), Headers: [][2]string{{"Authorization", req.Header.Get("Authorization")}}, ConsumerSecret: "cs", TokenSecret: "ts"}
	tampered, wrong := item, item
	tampered.URL = "https://api.example.com/r?a=2"
	wrong.TokenSecret = "other"
	v := verifyOAuth1(t, []oracleItem{item, tampered, wrong})
	if !v[0].OK || v[1].OK || v[2].OK {
		t.Errorf("verdicts: good %+v, tampered %+v, wrong secret %+v", v[0], v[1], v[2])
	}
}
