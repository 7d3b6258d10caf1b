package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// fakeClock is the engine's clock and sleep: sleeping advances time at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// deviceServer answers the device authorization request with authResp and
// the token polls with script (one entry per poll; the last one repeats).
// "drop" closes the connection without an answer.
func deviceServer(t testing.TB, authResp string, script ...string) (*httptest.Server, func() []time.Time, *fakeClock) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var polls []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.URL.Path == "/device" {
			if r.PostForm.Get("client_id") != "tv" || r.PostForm.Get("scope") != "api:read" {
				jsonReply(400, `{"error":"invalid_request"}`)(w, r)
				return
			}
			jsonReply(200, authResp)(w, r)
			return
		}
		if r.PostForm.Get("grant_type") != DeviceGrantType || r.PostForm.Get("device_code") != "dev-code-123" {
			jsonReply(400, `{"error":"invalid_grant"}`)(w, r)
			return
		}
		mu.Lock()
		polls = append(polls, clock.Now())
		n := len(polls)
		mu.Unlock()
		step := script[min(n, len(script))-1]
		switch step {
		case "drop":
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		case "ok":
			jsonReply(200, `{"access_token":"device-token","token_type":"Bearer","expires_in":600,"refresh_token":"device-refresh"}`)(w, r)
		case "500":
			http.Error(w, "down", http.StatusInternalServerError)
		default:
			jsonReply(400, fmt.Sprintf(`{"error":%q}`, step))(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []time.Time { mu.Lock(); defer mu.Unlock(); return append([]time.Time(nil), polls...) }, clock
}

func deviceClient(srv *httptest.Server) vault.AuthClient {
	return vault.AuthClient{
		Meta: vault.Meta{Name: "tv", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: srv.URL + "/token", Device: srv.URL + "/device"},
		ClientID:  "tv", AuthMethod: vault.AuthNone, Grant: vault.GrantDeviceCode, Scopes: []string{"api:read"},
	}
}

const deviceAuth = `{"device_code":"dev-code-123","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device",
"verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT","expires_in":"600","interval":5}`

// S-24: the poll loop waits the interval, slow_down adds 5 s for good, a
// dropped connection or a 5xx doubles the next wait and polling goes on;
// access_denied, expired_token and the deadline stop it. S-23: the code and
// the verification page (and its host to check) reach the callback.
func TestDevicePolling(t *testing.T) {
	t.Parallel()
	s := time.Second
	cases := []struct {
		name      string
		auth      string
		script    []string
		wantWaits []time.Duration
		wantKind  Kind // -1: success
		wantCode  string
	}{
		{
			"pending, slow_down, dropped connection, 5xx, success", deviceAuth,
			[]string{"authorization_pending", "slow_down", "drop", "500", "authorization_pending", "ok"},
			[]time.Duration{5 * s, 5 * s, 10 * s, 20 * s, 20 * s, 10 * s},
			-1, "",
		},
		{
			"default interval", strings.Replace(deviceAuth, `"interval":5`, `"interval":"0"`, 1),
			[]string{"authorization_pending", "ok"},
			[]time.Duration{5 * s, 5 * s},
			-1, "",
		},
		{"slow_down twice", deviceAuth, []string{"slow_down", "slow_down", "ok"}, []time.Duration{5 * s, 10 * s, 15 * s}, -1, ""},
		{"access_denied", deviceAuth, []string{"authorization_pending", "access_denied"}, []time.Duration{5 * s, 5 * s}, KindAborted, "access_denied"},
		{"expired_token", deviceAuth, []string{"expired_token"}, []time.Duration{5 * s}, KindAborted, "expired_token"},
		{
			"deadline", strings.Replace(deviceAuth, `"expires_in":"600"`, `"expires_in":30`, 1),
			[]string{"authorization_pending"},
			[]time.Duration{5 * s, 5 * s, 5 * s, 5 * s, 5 * s, 5 * s},
			KindAborted, "",
		},
		{"other error is rejected", deviceAuth, []string{"invalid_client"}, []time.Duration{5 * s}, KindRejected, "invalid_client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, polls, clock := deviceServer(t, tc.auth, tc.script...)
			e := newEngine(t)
			e.Now, e.Sleep = clock.Now, clock.Sleep
			var opened []string
			e.Opener = func(_ context.Context, u string) error { opened = append(opened, u); return nil }
			var prompt DevicePrompt
			tr := NewTranscript()
			r, err := e.Fetch(ctxT(t), FetchRequest{Client: deviceClient(srv), Transcript: tr}, FlowCallbacks{DeviceCode: func(p DevicePrompt) { prompt = p }})
			if tc.wantKind < 0 {
				mustf(t, err, "device flow")
				if r.AccessToken != "device-token" || r.RefreshToken != "device-refresh" {
					t.Errorf("tokens not returned")
				}
			} else {
				oe := kindIs(t, err, tc.wantKind)
				if oe.Code != tc.wantCode {
					t.Errorf("code = %q, want %q", oe.Code, tc.wantCode)
				}
			}
			if got := clock.Waits(); fmt.Sprint(got) != fmt.Sprint(tc.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tc.wantWaits)
			}
			start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			for _, p := range polls() {
				if p.After(prompt.Expires) {
					t.Errorf("polled at %s, after the code expired at %s", p.Sub(start), prompt.Expires.Sub(start))
				}
			}
			if prompt.UserCode != "WDJB-MJHT" || prompt.Host != "example.com" || prompt.QR == "" || prompt.VerificationURI != "https://example.com/device" {
				t.Errorf("prompt: %+v", prompt)
			}
			if len(opened) != 1 || opened[0] != "https://example.com/device?user_code=WDJB-MJHT" {
				t.Errorf("opened %v, want the complete verification URI", opened)
			}
			noLeakedSecret(t, "transcript", tr.Text(), "dev-code-123", "device-token", "device-refresh")
		})
	}
}

// Long waits stay readable: identical pending polls fold into one entry.
func TestDevicePollsFoldInTranscript(t *testing.T) {
	t.Parallel()
	srv, _, clock := deviceServer(t, deviceAuth, "authorization_pending", "authorization_pending", "authorization_pending", "authorization_pending", "ok")
	e := newEngine(t)
	e.Now, e.Sleep = clock.Now, clock.Sleep
	tr := NewTranscript()
	_, err := e.Fetch(ctxT(t), FetchRequest{Client: deviceClient(srv), Transcript: tr, NoBrowser: true}, FlowCallbacks{})
	mustf(t, err, "device flow")
	if !strings.Contains(tr.Text(), "device poll (×4)") {
		t.Errorf("transcript does not fold the pending polls:\n%s", tr.Text())
	}
}

// A device authorization response that is unusable is a clear error.
func TestDeviceAuthorizationResponseChecks(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, want string }{
		{"missing user code", `{"device_code":"d","verification_uri":"https://x.example/d"}`, "lacks device_code"},
		{"hostile verification URI", `{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)"}`, "not an http(s) URL"},
		{"bad interval", `{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","interval":"soon"}`, "interval"},
	}
	for _, tc := range cases {
		_, err := ParseDeviceAuth(200, "application/json", []byte(tc.body), time.Now())
		oe := kindIs(t, err, KindBadResponse)
		if !strings.Contains(oe.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	da, err := ParseDeviceAuth(200, "application/json", []byte(`{"device_code":"d","user_code":"u","verification_url":"https://x.example/d"}`), time.Unix(0, 0))
	mustf(t, err, "verification_url spelling")
	if da.VerificationURI != "https://x.example/d" || !da.Expiry.Equal(time.Unix(0, 0).Add(DefaultDeviceExpiry)) {
		t.Errorf("parsed %+v", da)
	}
}
