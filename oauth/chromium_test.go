package oauth

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// chromiumPath finds a Chromium. CI has one (it must not skip there);
// elsewhere the test skips with the command that installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium in CI: install it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed; apt-get install -y chromium to run this test")
	return ""
}

// chromiumOpener opens authorization URLs in one headless Chromium with a
// fresh profile and signs in through the provider's real login and consent
// pages, as a person would. The outcome of each sign-in arrives on the channel.
func chromiumOpener(t *testing.T) (Opener, <-chan error) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	// Start the browser now, without a timeout (a timeout on the first run
	// would bound the browser's life), so its start-up is not part of a flow.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	done := make(chan error, 2)
	return func(_ context.Context, u string) error {
		go func() {
			ctx, cancel := context.WithTimeout(browserCtx, 60*time.Second)
			defer cancel()
			allow := chromedp.CSS(`button[value="allow"]`)
			done <- chromedp.Do(ctx,
				chromedp.Navigate(u),
				chromedp.WaitVisible(chromedp.ID("username")),
				chromedp.SetValue(chromedp.ID("username"), playground.DemoUser),
				chromedp.SendKeys(chromedp.ID("password"), playground.DemoPassword),
				chromedp.Submit(chromedp.ID("password")),
				waitForText(`button[value="allow"]`, ""),
				chromedp.Click(allow),
				// authdeck's loopback page. The implicit grant's page
				// navigates once more (fragment to query) while it loads, and
				// a DOM wait started on the page before can miss the new one
				// and wait forever, so the text is polled instead.
				waitForText("h1", "Signed in"),
			)
		}()
		return nil
	}, done
}

// waitForText is done once an element matching selector contains text (any
// such element, for ""). It
// evaluates a short expression every 100 ms, so a navigation between two
// looks (which makes an evaluation fail) only means looking again.
func waitForText(selector, text string) chromedp.Action[chromedp.Void] {
	expr := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, selector, text)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			evalCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
			found, err := chromedp.Evaluate[bool](expr)(evalCtx, t)
			cancel()
			if err == nil && found {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no %s containing %q: %w (last look: %v)", selector, text, ctx.Err(), err)
			case <-tick.C:
			}
		}
	})
}

// S-01: a real browser — headless Chromium — signs in through the
// playground's login and consent pages and comes back to the loopback
// listener: authorization code + PKCE, and the implicit grant whose
// fragment the loopback page turns into a query (S-06).
func TestChromiumSignIn(t *testing.T) {
	s := sharedPlayground(t)
	cases := []struct {
		name   string
		client string
		grant  vault.Grant
		scopes []string
	}{
		{"authorization code + PKCE", playground.ClientCLI, vault.GrantAuthorizationCode, []string{"openid", "offline_access", playground.ScopeAPIRead}},
		{"implicit (fragment)", playground.ClientLegacyImplicit, vault.GrantImplicit, []string{"openid", playground.ScopeAPIRead}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh profile per sign-in, so each one meets the login page.
			opener, done := chromiumOpener(t)
			e := newEngine(t)
			e.Opener = opener
			ac, creds := authClient("app", s, demo(t, s, tc.client), tc.grant)
			ac.Scopes, ac.Prompt = tc.scopes, "consent"
			putClient(t, e, ac, creds)
			tr := NewTranscript()
			r, err := e.Token(ctxT(t), TokenRequest{Name: "app", Transcript: tr}, FlowCallbacks{})
			if err != nil {
				select {
				case berr := <-done:
					t.Fatalf("token: %v (browser: %v)\n%s", err, berr, tr.Text())
				case <-time.After(5 * time.Second):
					t.Fatalf("token: %v\n%s", err, tr.Text())
				}
			}
			if berr := <-done; berr != nil {
				t.Fatalf("browser: %v", berr)
			}
			if code := callAPI(t, s, r.AccessToken); code != 200 {
				t.Fatalf("demo API answered %d", code)
			}
			if tc.grant == vault.GrantImplicit && !r.Deprecated {
				t.Errorf("implicit token not labelled deprecated")
			}
			if tc.grant == vault.GrantAuthorizationCode && r.RefreshToken == "" {
				t.Errorf("no refresh token with offline_access")
			}
		})
	}
}
