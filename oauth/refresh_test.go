package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// countingProvider is a token endpoint that counts refresh requests, holds
// each one for a while (so concurrent callers really overlap) and rotates
// the refresh token.
type countingProvider struct {
	srv       *httptest.Server
	refreshes atomic.Int32
	others    atomic.Int32
	delay     time.Duration
	// omitRefresh makes refresh responses leave out refresh_token (S-20).
	omitRefresh bool
	// failGrant answers refreshes with invalid_grant (S-17).
	failGrant bool
	mu        sync.Mutex
	used      map[string]bool
}

func newCountingProvider(t testing.TB, delay time.Duration) *countingProvider {
	p := &countingProvider{delay: delay}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "refresh_token" {
			p.others.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"unsupported_grant_type"}`)
			return
		}
		n := p.refreshes.Add(1)
		time.Sleep(p.delay)
		// Rotation: a refresh token works once.
		rt := r.PostForm.Get("refresh_token")
		p.mu.Lock()
		reused := p.used[rt]
		if p.used == nil {
			p.used = map[string]bool{}
		}
		p.used[rt] = !p.omitRefresh
		p.mu.Unlock()
		if reused {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"refresh token already used"}`)
			return
		}
		if p.failGrant {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"refresh token revoked"}`)
			return
		}
		resp := map[string]any{"access_token": fmt.Sprintf("at-%d-%s", n, rt), "token_type": "bearer", "expires_in": 3600, "scope": "api:read"}
		if !p.omitRefresh {
			resp["refresh_token"] = fmt.Sprintf("rt-%d", n+1)
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// seedExpired stores an auth client "api" and its expired token set.
func seedExpired(t testing.TB, v *vault.Vault, tokenURL string) {
	t.Helper()
	ctx := context.Background()
	_, err := v.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: tokenURL, Authorization: tokenURL + "/authorize"},
		ClientID:  "c1", AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantAuthorizationCode,
		Scopes: []string{"api:read"},
	}, &vault.ClientCredentials{ClientSecret: "client-secret-value"})
	mustf(t, err, "client")
	_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "api"},
		&vault.SecretValue{
			AccessToken: "at-old", RefreshToken: "rt-1", TokenType: "Bearer", Scope: "api:read",
			Expires: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339),
		})
	mustf(t, err, "expired token")
}

const (
	helperEnv     = "AUTHDECK_OAUTH_TEST_HELPER"
	helperHomeEnv = "AUTHDECK_OAUTH_TEST_HOME"
)

// helperProcess is one of the other processes of
// TestRefreshExactlyOnceAcrossGoroutinesAndProcesses: it signals it is
// ready, waits for the start signal, asks for the token and prints a hash
// of it (never the token).
func helperProcess() int {
	home := os.Getenv(helperHomeEnv)
	id := os.Getenv(helperEnv)
	v, err := openDirVault(filepath.Join(home, "vault"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: vault:", err)
		return 2
	}
	e := &Engine{Vault: v, LockDir: filepath.Join(home, "locks")}
	if err := os.WriteFile(filepath.Join(home, "ready-"+id), nil, 0o600); err != nil {
		return 2
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(home, "go")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "helper: no start signal")
			return 2
		}
		time.Sleep(2 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := e.Token(ctx, TokenRequest{Name: "api"}, FlowCallbacks{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: token:", err)
		return 1
	}
	fmt.Println(hash(r.AccessToken))
	return 0
}

// S-21 and the refresh budget: 50 goroutines and 4 processes ask for an expired token
// at once; exactly one refresh request reaches the provider and everyone
// gets the same new token.
func TestRefreshExactlyOnceAcrossGoroutinesAndProcesses(t *testing.T) {
	p := newCountingProvider(t, 300*time.Millisecond)
	home := t.TempDir()
	v, err := openDirVault(filepath.Join(home, "vault"))
	mustf(t, err, "vault")
	seedExpired(t, v, p.srv.URL)
	exe, err := os.Executable()
	mustf(t, err, "test binary")

	const procs, goroutines = 4, 50
	type out struct {
		stdout strings.Builder
		stderr strings.Builder
		cmd    *exec.Cmd
	}
	outs := make([]*out, procs)
	for i := range outs {
		o := &out{}
		o.cmd = exec.Command(exe, "-test.run=^$")
		o.cmd.Env = append(os.Environ(), helperEnv+"="+fmt.Sprint(i), helperHomeEnv+"="+home)
		o.cmd.Stdout, o.cmd.Stderr = &o.stdout, &o.stderr
		mustf(t, o.cmd.Start(), "starting helper %d", i)
		outs[i] = o
	}
	t.Cleanup(func() {
		for _, o := range outs {
			if o.cmd.ProcessState == nil {
				_ = o.cmd.Process.Kill()
				_ = o.cmd.Wait()
			}
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < procs; {
		if _, err := os.Stat(filepath.Join(home, fmt.Sprintf("ready-%d", i))); err == nil {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("helper %d never got ready", i)
		}
		time.Sleep(5 * time.Millisecond)
	}

	e := &Engine{Vault: v, HTTPClient: testHTTP, LockDir: filepath.Join(home, "locks")}
	start := make(chan struct{})
	var wg sync.WaitGroup
	tokens := make([]string, goroutines)
	errs := make([]error, goroutines)
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := e.Token(context.Background(), TokenRequest{Name: "api"}, FlowCallbacks{})
			errs[i] = err
			if err == nil {
				tokens[i] = hash(r.AccessToken)
			}
		}()
	}
	mustf(t, os.WriteFile(filepath.Join(home, "go"), nil, 0o600), "start signal")
	close(start)
	wg.Wait()
	for i, o := range outs {
		if err := o.cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v: %s", i, err, o.stderr.String())
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}
	if n := p.refreshes.Load(); n != 1 {
		t.Fatalf("%d refresh requests reached the provider, want exactly 1", n)
	}
	if n := p.others.Load(); n != 0 {
		t.Errorf("%d other token requests reached the provider", n)
	}
	want := tokens[0]
	for i, tok := range tokens {
		if tok != want {
			t.Fatalf("goroutine %d got another token", i)
		}
	}
	for i, o := range outs {
		if got := strings.TrimSpace(o.stdout.String()); got != want {
			t.Errorf("helper %d got token %q, want %q (hashes)", i, got, want)
		}
	}
	sec, err := v.Secret(vault.DefaultEnv, "api")
	mustf(t, err, "secret")
	val, err := v.SecretValue(context.Background(), sec)
	mustf(t, err, "value")
	if val.RefreshToken != "rt-2" || hash(val.AccessToken) != want {
		t.Errorf("stored set: refresh %q, access matches=%v; want the rotated refresh token rt-2", val.RefreshToken, hash(val.AccessToken) == want)
	}
}

// S-20: a rotated refresh token is stored with the new access token; an
// omitted one keeps the old one. S-17: invalid_grant on refresh asks to sign
// in again, exit 7, and leaves the stored set alone.
func TestRefreshRotationAndInvalidGrant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		omit, fail  bool
		wantRefresh string
	}{
		{"rotated", false, false, "rt-2"},
		{"omitted keeps the old one", true, false, "rt-1"},
		{"invalid_grant", false, true, "rt-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newCountingProvider(t, 0)
			p.omitRefresh, p.failGrant = tc.omit, tc.fail
			e := newEngine(t)
			seedExpired(t, e.Vault, p.srv.URL)
			tr := NewTranscript()
			r, err := e.Token(ctxT(t), TokenRequest{Name: "api", Transcript: tr}, FlowCallbacks{})
			sec, _ := e.Vault.Secret(vault.DefaultEnv, "api")
			val, verr := e.Vault.SecretValue(context.Background(), sec)
			mustf(t, verr, "stored value")
			if tc.fail {
				oe := kindIs(t, err, KindRejected)
				if oe.Code != "invalid_grant" || !strings.Contains(oe.Hint, "sign in again") || !strings.Contains(oe.Hint, "--force") {
					t.Errorf("error: code %q hint %q", oe.Code, oe.Hint)
				}
				if !strings.Contains(tr.Text(), "invalid_grant") || !strings.Contains(tr.Text(), "the refresh token was used, expired or revoked — sign in again: authdeck token api --force") {
					t.Errorf("transcript does not explain invalid_grant:\n%s", tr.Text())
				}
				if val.AccessToken != "at-old" || val.RefreshToken != "rt-1" {
					t.Errorf("a failed refresh changed the stored set")
				}
				return
			}
			mustf(t, err, "token")
			if !r.Refreshed || val.AccessToken != r.AccessToken || val.RefreshToken != tc.wantRefresh || r.RefreshToken != tc.wantRefresh {
				t.Errorf("refreshed=%v stored refresh %q result refresh %q, want %q", r.Refreshed, val.RefreshToken, r.RefreshToken, tc.wantRefresh)
			}
			noLeakedSecret(t, "transcript", tr.Text(), "rt-1", "rt-2", r.AccessToken, "client-secret-value")
		})
	}
}

// S-22: the skew is 30 s by default, configurable, and never more than half
// the token's lifetime.
func TestRefreshSkew(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		skew     time.Duration
		lifetime time.Duration
		want     time.Duration
	}{
		{"default", 0, time.Hour, 30 * time.Second},
		{"configured", 2 * time.Minute, time.Hour, 2 * time.Minute},
		{"capped at half a short lifetime", 0, 20 * time.Second, 10 * time.Second},
		{"unknown issue time", 0, 0, 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ac := vault.AuthClient{RefreshSkew: vault.Duration(tc.skew)}
			issued, expiry := time.Time{}, now.Add(time.Hour)
			if tc.lifetime > 0 {
				issued, expiry = now, now.Add(tc.lifetime)
			}
			if got := skewFor(ac, issued, expiry); got != tc.want {
				t.Errorf("skew = %s, want %s", got, tc.want)
			}
		})
	}
	// A token 20 s from expiry is stale with the default skew; 40 s is fine.
	e := newEngine(t)
	for _, c := range []struct {
		left  time.Duration
		fresh bool
	}{{20 * time.Second, false}, {40 * time.Second, true}} {
		val := &vault.SecretValue{AccessToken: "a", Expires: time.Now().Add(c.left).UTC().Format(time.RFC3339)}
		got := e.cached(&target{client: &vault.AuthClient{}}, val, nil) != nil
		if got != c.fresh {
			t.Errorf("%s before expiry: cached=%v, want %v", c.left, got, c.fresh)
		}
	}
}

// Refresh without a stored refresh token is missing input (exit 3).
func TestRefreshWithoutRefreshToken(t *testing.T) {
	t.Parallel()
	p := newCountingProvider(t, 0)
	e := newEngine(t)
	seedExpired(t, e.Vault, p.srv.URL)
	sec, _ := e.Vault.Secret(vault.DefaultEnv, "api")
	_, err := e.Vault.PutSecret(ctxT(t), sec, &vault.SecretValue{AccessToken: "at", TokenType: "Bearer"})
	mustf(t, err, "token without refresh")
	_, err = e.Refresh(ctxT(t), TokenRequest{Name: "api"}, FlowCallbacks{})
	kindIs(t, err, KindMissingInput)
	if n := p.refreshes.Load(); n != 0 {
		t.Errorf("%d refresh requests were sent without a refresh token", n)
	}
}

// Token and Refresh on one token set at once take turns: with a provider
// that accepts each refresh token once, no caller sees invalid_grant.
func TestTokenAndRefreshTakeTurns(t *testing.T) {
	t.Parallel()
	p := newCountingProvider(t, 20*time.Millisecond)
	e := newEngine(t)
	seedExpired(t, e.Vault, p.srv.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = e.Token(ctxT(t), TokenRequest{Name: "api"}, FlowCallbacks{})
			} else {
				_, err = e.Refresh(ctxT(t), TokenRequest{Name: "api"}, FlowCallbacks{})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Token/Refresh: %v", err)
		}
	}
	if n := p.refreshes.Load(); n < 1 || n > 11 {
		t.Errorf("%d refreshes for 2 flights of callers", n)
	}
}
