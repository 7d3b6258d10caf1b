package flow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// sgr matches the colour codes the TUI paints with.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// A device user code from a hostile server (S-40): the pane shows it
// escaped, and nothing in the frame beside the TUI's own colours is a
// control character — C1 ones included.
func TestTerminalEscapesDeviceUserCodeInTheTUI(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			fmt.Fprintf(w, `{"device_code":"dc","user_code":"WX\u001b]0;owned\u0007YZ\u009b2J","verification_uri":%q,"expires_in":60,"interval":30}`, srv.URL+"/activate")
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"authorization_pending"}`)
		}
	}))
	t.Cleanup(srv.Close)
	v := vault.NewMemory()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "tv", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: srv.URL + "/token", Device: srv.URL + "/device"},
		ClientID:  "x", AuthMethod: vault.AuthNone, Grant: vault.GrantDeviceCode,
	}
	if _, err := v.PutClient(t.Context(), ac, nil); err != nil {
		t.Fatal(err)
	}
	c := uitest.NewCommon(v)
	c.EngineConfig = &engines.Config{
		HTTPClient: srv.Client(), CallbackTimeout: time.Minute,
		Opener: func(context.Context, string) error { return nil },
	}
	m := New(c, common.RunFlowMsg{Env: vault.DefaultEnv, Client: "tv", Grant: vault.GrantDeviceCode})
	t.Cleanup(func() {
		if m.cancel != nil {
			m.cancel()
		}
	})
	host := uitest.NewHost(c, m)
	d := uitest.New(t, host, 120, 40)
	d.Wait(10*time.Second, "the device code", func() bool { return m.DevicePrompt() != nil })
	frame := sgr.ReplaceAllString(uitest.ViewString(host), "")
	for i, r := range frame {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			t.Fatalf("the frame holds %U at byte %d:\n%q", r, i, frame)
		}
	}
	if want := `WX\x1b]0;owned\x07YZ\u009b2J`; !strings.Contains(frame, want) {
		t.Errorf("the user code is not shown escaped (want %q):\n%s", want, frame)
	}
}
