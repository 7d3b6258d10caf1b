package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/vault"
)

// demoHarness is a harness over the demo workspace of a fresh playground
// whose API asks for DPoP nonces, in the demo's dev environment.
func demoHarness(t *testing.T) (*harness, *playground.Server) {
	t.Helper()
	s, err := playground.Start(context.Background(), playground.Config{APIDPoPNonce: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := newHarness(t)
	realNow(h)
	if err := demo.Workspace(context.Background(), h.v, s); err != nil {
		t.Fatal(err)
	}
	h.env["AUTHDECK_ENV"] = demo.EnvDev
	return h, s
}

// curlStatus sends method url with the header lines through curl and
// returns the status and the DPoP-Nonce the server answered with.
func curlStatus(t *testing.T, curl, method, url, headers string) (int, string) {
	t.Helper()
	args := []string{"-s", "-o", "/dev/null", "-D", "-", "-X", method}
	for _, line := range strings.Split(strings.TrimSpace(headers), "\n") {
		args = append(args, "-H", line)
	}
	out, err := exec.Command(curl, append(args, url)...).Output()
	if err != nil {
		t.Fatalf("curl: %v", err)
	}
	status, nonce := 0, ""
	for _, line := range strings.Split(string(out), "\r\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
			status, _ = strconv.Atoi(f[1])
		}
		if k, v, ok := strings.Cut(line, ":"); ok && http.CanonicalHeaderKey(strings.TrimSpace(k)) == "Dpop-Nonce" {
			nonce = strings.TrimSpace(v)
		}
	}
	return status, nonce
}

// `authdeck token -f header --dpop-proof METHOD URL` prints what a script
// needs for a DPoP-bound token, checked with curl against the demo API: the
// API's nonce goes in with --dpop-nonce, a proof serves one request only and
// only its method and URL; a header without a proof is refused before any
// flow runs (RFC 9449; S-44).
func TestTokenDPoPHeaderForScripts(t *testing.T) {
	t.Parallel()
	curl := needTool(t, "curl", "curl")
	h, s := demoHarness(t)
	url := s.APIURL + "/data"

	h.expect(exitMissingInput, []string{"DPoP-bound", "--dpop-proof METHOD URL"}, "", "token", playground.ClientServiceDPoP, "-f", "header")
	if _, err := h.v.Secret(demo.EnvDev, playground.ClientServiceDPoP); !errors.Is(err, vault.ErrNotConfigured) {
		t.Fatalf("a refused header stored a token set: %v", err)
	}
	h.expect(exitOther, []string{"-f header"}, "", "token", playground.ClientServiceDPoP, "--dpop-proof", "GET", url)
	h.expect(exitOther, []string{"not an absolute"}, "", "token", playground.ClientServiceDPoP, "-f", "header", "--dpop-proof", "GET", "data")
	h.expect(exitOther, []string{"not an HTTP method"}, "", "token", playground.ClientServiceDPoP, "-f", "header", "--dpop-proof", "GE T", url)
	h.expect(exitOther, []string{"does not use DPoP"}, "", "token", playground.ClientServiceBasic, "-f", "header", "--dpop-proof", "GET", url)

	first := h.must("", "token", playground.ClientServiceDPoP, "-f", "header", "--dpop-proof", "GET", url)
	lines := strings.Split(strings.TrimSpace(first.out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Authorization: DPoP ") || !strings.HasPrefix(lines[1], "DPoP: ") {
		t.Fatalf("header output: %d lines", len(lines))
	}
	status, nonce := curlStatus(t, curl, "GET", url, first.out)
	if status != http.StatusUnauthorized || nonce == "" {
		t.Fatalf("without the API's nonce: %d, nonce %q", status, nonce)
	}
	// The URL may come before NAME too.
	withNonce := h.must("", "token", "-f", "header", "--dpop-proof", "GET", url, playground.ClientServiceDPoP, "--dpop-nonce", nonce)
	if status, _ := curlStatus(t, curl, "GET", url, withNonce.out); status != http.StatusOK {
		t.Fatalf("with the API's nonce: %d", status)
	}
	if status, _ := curlStatus(t, curl, "GET", url, withNonce.out); status != http.StatusUnauthorized {
		t.Errorf("a replayed proof was accepted: %d", status)
	}
	again := h.must("", "token", playground.ClientServiceDPoP, "-f", "header", "--dpop-proof", "GET", url, "--dpop-nonce", nonce)
	if status, _ := curlStatus(t, curl, "POST", url, again.out); status != http.StatusUnauthorized {
		t.Errorf("a GET proof was accepted for a POST: %d", status)
	}
	if strings.Split(again.out, "\n")[0] != lines[0] {
		t.Error("the stored token set was not reused")
	}

	js := h.must("", "token", playground.ClientServiceDPoP, "-f", "json", "--dpop-proof", "GET", url, "--dpop-nonce", nonce)
	var j struct {
		TokenType string `json:"token_type"`
		JKT       string `json:"dpop_jkt"`
		Proof     string `json:"dpop_proof"`
	}
	ac, _ := h.v.Client(demo.EnvDev, playground.ClientServiceDPoP)
	if err := json.Unmarshal([]byte(js.out), &j); err != nil || !strings.EqualFold(j.TokenType, "DPoP") || j.JKT != ac.DPoPKeyID || j.Proof == "" {
		t.Fatalf("json: %+v %v", j, err)
	}
	creds, _ := h.v.ClientCredentials(context.Background(), ac)
	noSecret(t, js, creds.DPoPKey, strings.Split(creds.DPoPKey, "\n")[1])
}

// `authdeck token NAME --subject-token-stdin` trades a token read from stdin
// (never argv) and always exchanges it anew; a token the provider refuses and
// a denied audience exit 7 and leave the stored token set as it was (RFC 8693).
func TestTokenExchangeSubjectFromStdin(t *testing.T) {
	t.Parallel()
	h, s := demoHarness(t)
	subject := strings.TrimSpace(h.must("", "token", playground.ClientServiceBasic).out)

	r := h.must(subject+"\n", "token", playground.ClientExchange, "--subject-token-stdin", "-f", "json", "-v")
	var j struct {
		AccessToken string `json:"access_token"`
		Grant       string `json:"grant"`
		FromCache   bool   `json:"from_cache"`
	}
	if err := json.Unmarshal([]byte(r.out), &j); err != nil || j.Grant != "token_exchange" || j.FromCache || j.AccessToken == subject {
		t.Fatalf("exchange: %+v %v", j, err)
	}
	if strings.Contains(r.err, subject) {
		t.Fatal("the subject token is in the transcript")
	}
	if code := apiStatus(t, s, j.AccessToken); code != http.StatusOK {
		t.Fatalf("the exchanged token at the API: %d", code)
	}
	stored := func() string {
		sec, err := h.v.Secret(demo.EnvDev, playground.ClientExchange)
		if err != nil {
			t.Fatal(err)
		}
		val, err := h.v.SecretValue(context.Background(), sec)
		if err != nil {
			t.Fatal(err)
		}
		return val.AccessToken
	}
	if stored() != j.AccessToken {
		t.Fatal("the exchanged token set was not stored")
	}

	h.expect(exitRejected, []string{"invalid"}, "not-a-token-the-provider-issued\n", "token", playground.ClientExchange, "--subject-token-stdin")
	h.expect(exitMissingInput, []string{"subject token"}, "", "token", playground.ClientExchange, "--subject-token-stdin")
	h.expect(exitMissingInput, []string{"no single token"}, "one\ntwo\n", "token", playground.ClientExchange, "--subject-token-stdin")
	h.expect(exitOther, []string{"not a token exchange client"}, subject+"\n", "token", playground.ClientServiceBasic, "--subject-token-stdin")
	h.must("", "client", "edit", playground.ClientExchange, "--audience", "https://elsewhere.example")
	h.expect(exitRejected, []string{"invalid_target"}, "", "token", playground.ClientExchange, "--force")
	if stored() != j.AccessToken {
		t.Error("a refused exchange changed the stored token set")
	}
}

// `authdeck request --auth` with a DPoP-bound client: the demo API, which
// checks a proof with ath on every request and asks for its nonce, answers
// 200; -v says how the credential went, and the key never shows (S-44).
func TestRequestCommandWithDPoP(t *testing.T) {
	t.Parallel()
	h, s := demoHarness(t)
	r := h.must("", "request", "GET", s.APIURL+"/data", "--auth", playground.ClientServiceDPoP, "-v")
	if !strings.Contains(r.out, `"owner":"service-dpop"`) {
		t.Errorf("the demo API's answer is not on stdout:\n%s", r.out)
	}
	if !strings.Contains(r.err, "DPoP") {
		t.Errorf("-v does not say the token went with a proof:\n%s", r.err)
	}
	ac, _ := h.v.Client(demo.EnvDev, playground.ClientServiceDPoP)
	creds, _ := h.v.ClientCredentials(context.Background(), ac)
	noSecret(t, r, creds.DPoPKey, strings.Split(creds.DPoPKey, "\n")[1])
}
