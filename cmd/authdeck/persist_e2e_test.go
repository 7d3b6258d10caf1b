//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

// TestSigintAfterTokenEndpointAnsweredKeepsRefreshToken (S-39): authdeck
// token gets SIGINT right after the playground's token endpoint has
// answered a refresh with a rotated refresh token. The answer is stored
// anyway, so the next refresh works; without that, the playground, which
// refuses a spent refresh token, answers invalid_grant.
func TestSigintAfterTokenEndpointAnsweredKeepsRefreshToken(t *testing.T) {
	e := newE2E(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Access tokens last 2 s: the refresh skew (at most half the lifetime)
	// makes every call after 1 s refresh.
	pg, err := playground.Start(ctx, playground.Config{AccessTokenLifetime: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	// A loopback proxy in front of the token endpoint: once it has written
	// the answer to a refresh, it interrupts the authdeck process waiting
	// for it.
	var pid atomic.Int64
	var delay atomic.Int64
	var refreshes, signalled atomic.Int32
	var lastStatus atomic.Int32
	tokenURL := pg.Endpoints().Token
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, tokenURL, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
		w.(http.Flusher).Flush()
		if form.Get("grant_type") != "refresh_token" {
			return
		}
		refreshes.Add(1)
		lastStatus.Store(int32(resp.StatusCode))
		if p := pid.Load(); p != 0 {
			time.Sleep(time.Duration(delay.Load()))
			if syscall.Kill(int(p), syscall.SIGINT) == nil {
				signalled.Add(1)
			}
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = proxy.Serve(ln) }()
	defer proxy.Close()

	// The token set: a sign-in of the public CLI client, in-process, into
	// the home the binary uses.
	v, err := local.Open(local.Options{Home: e.home, Backend: vault.BackendFile, Passphrase: func() (string, error) { return e2ePass, nil }, FileWorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "cli", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: pg.Issuer,
		Endpoints: vault.Endpoints{Token: "http://" + ln.Addr().String() + "/token"},
		ClientID:  playground.ClientCLI, AuthMethod: vault.AuthNone, Grant: vault.GrantAuthorizationCode,
		Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead},
	}
	if _, err := v.PutClient(ctx, ac, nil); err != nil {
		t.Fatal(err)
	}
	browser := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	eng := &oauth.Engine{Vault: v, Opener: func(ctx context.Context, u string) error {
		go func() { _ = browser.Open(context.WithoutCancel(ctx), u) }()
		return nil
	}}
	if _, err := eng.Token(ctx, oauth.TokenRequest{Env: vault.DefaultEnv, Name: "cli"}, oauth.FlowCallbacks{}); err != nil {
		t.Fatalf("sign-in: %v", err)
	}

	interruptedAfterAnswer := 0
	for round, d := range []time.Duration{0, 2 * time.Millisecond, 5 * time.Millisecond} {
		time.Sleep(1100 * time.Millisecond) // the stored token is now due for refresh
		before := refreshes.Load()
		delay.Store(int64(d))
		cctx, ccancel := context.WithTimeout(ctx, time.Minute)
		cmd := e.command(cctx, nil, "token", "cli")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid.Store(int64(cmd.Process.Pid))
		err := cmd.Wait()
		pid.Store(0)
		ccancel()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if refreshes.Load() != before+1 || lastStatus.Load() != http.StatusOK {
			t.Fatalf("round %d: the interrupted call made %d refreshes (last status %d), want one answered 200:\n%s", round, refreshes.Load()-before, lastStatus.Load(), errb.String())
		}
		switch code {
		case exitAborted:
			interruptedAfterAnswer++
		case exitOK:
			// it finished before the signal landed
		default:
			t.Fatalf("round %d: SIGINT %v after the answer: exit %d:\n%s", round, d, code, errb.String())
		}

		// The next call refreshes with the refresh token stored above.
		time.Sleep(1100 * time.Millisecond)
		before = refreshes.Load()
		r := e.run("", nil, "token", "cli")
		if r.code != 0 || strings.Contains(r.err, "invalid_grant") {
			t.Fatalf("round %d: the call after the interrupted refresh: exit %d:\n%s", round, r.code, r.err)
		}
		if refreshes.Load() != before+1 || lastStatus.Load() != http.StatusOK {
			t.Fatalf("round %d: the next call did not refresh (%d refreshes, last status %d)", round, refreshes.Load()-before, lastStatus.Load())
		}
		if st := apiStatus(t, pg, strings.TrimSpace(r.out)); st != http.StatusOK {
			t.Fatalf("round %d: the demo API answers %d to the new access token", round, st)
		}
	}
	t.Logf("%d of 3 interrupted refreshes got the signal before they ended (exit %d); every next refresh worked", interruptedAfterAnswer, exitAborted)
	if interruptedAfterAnswer == 0 {
		t.Fatal("no run got SIGINT before it ended: the test proves nothing")
	}
}
