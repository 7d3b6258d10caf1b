package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/request"
	"github.com/authdeck/authdeck/ui/screens/token"
)

// The demo's DPoP client from the TUI: its flow gets a DPoP-bound token,
// the token pane shows the key it is bound to, and the saved DPoP request
// and the saved exchanged-token request are answered by the demo API in
// the request console (RFC 9449, RFC 8693; S-44).
func TestDPoPAndExchangeInTheTUI(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	selectItem(t, d, playground.ClientServiceDPoP)
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the flow to finish", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("flow failed: %v", f.Err())
	}
	if r := f.Result(); r.DPoPJKT == "" || !strings.EqualFold(r.TokenType, "DPoP") {
		t.Fatalf("result: type %q bound to %q", r.TokenType, r.DPoPJKT)
	}
	ac, err := dm.Vault.Client(demo.EnvDev, playground.ClientServiceDPoP)
	if err != nil {
		t.Fatal(err)
	}
	d.Press("enter") // the result opens the token pane
	tp, ok := m.Top().(*token.Model)
	if !ok {
		t.Fatalf("enter opened %T", m.Top())
	}
	d.Wait(5*time.Second, "the token to load", func() bool { return tp.Value() != nil })
	if s := d.Screen(); !strings.Contains(s, "bound to") || !strings.Contains(s, ac.DPoPKeyID[:16]) || !strings.Contains(s, "the client's key") {
		t.Errorf("the token pane does not show the binding:\n%s", s)
	}
	for _, name := range []string{"read data (DPoP)", "me (exchanged)"} {
		d.Send(common.OpenRequestMsg{Env: demo.EnvDev, Name: name})
		d.Settle()
		rq, ok := m.Top().(*request.Model)
		if !ok {
			t.Fatalf("top = %T, want the request console", m.Top())
		}
		d.Press("ctrl+s")
		d.Wait(20*time.Second, "the response", func() bool { return !rq.Busy() && (rq.Response() != nil || rq.Err() != nil) })
		if rq.Err() != nil || rq.Response().StatusCode != http.StatusOK {
			t.Fatalf("%s: err %v\n%s", name, rq.Err(), d.Screen())
		}
		if name == "read data (DPoP)" && !strings.Contains(rq.Response().Request.Credential, "DPoP-bound token") {
			t.Errorf("the request does not say how the credential went: %q", rq.Response().Request.Credential)
		}
	}
}
