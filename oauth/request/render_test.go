package request

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

func TestPreparedCurlAndDump(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	spec := Spec{
		Method: "POST", URL: "https://api.example.com/v1/x?q={{greeting}}", Auth: "apikey", Body: `{"s":"{{apiSecret}}"}`,
		Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}, Insecure: true,
	}
	p, err := f.sender.Prepare(context.Background(), f.env, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	curl := p.Curl(false)
	want := `curl -k 'https://api.example.com/v1/x?q=hello' -H 'Content-Type: application/json' -H 'X-API-Key: ` + mask.Dots + `' --data-raw '{"s":"` + mask.Dots + `"}'`
	if curl != want {
		t.Fatalf("curl:\n got %s\nwant %s", curl, want)
	}
	dump := p.Dump()
	for _, line := range []string{
		"> POST /v1/x?q=hello HTTP/1.1", "> Host: api.example.com", "> X-API-Key: " + mask.Dots,
		`* credential: API key "apikey" in header X-API-Key`, "* warning: TLS certificate verification is OFF",
	} {
		if !strings.Contains(dump, line) {
			t.Errorf("dump lacks %q:\n%s", line, dump)
		}
	}
	// Revealed: the real values, so the command works when pasted.
	p, err = f.sender.Prepare(context.Background(), f.env, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Curl(true); !strings.Contains(c, "X-API-Key: "+fakeAPIKey) || !strings.Contains(c, fakeSecretVar) || !strings.Contains(c, " \\\n  ") {
		t.Fatal("revealed multi-line curl lacks the real values")
	}
}

func TestHistoryEntryHoldsNoSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "fake-session-cookie-9999"})
		w.Header().Set("Content-Type", "application/json")
		// an API that echoes the credential back
		fmt.Fprintf(w, `{"token":%q,"ok":true}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
	spec := Spec{
		URL: srv.URL + "/x?q={{apiSecret}}&api_key=typed-by-hand&page=2", Auth: "oauth",
		Headers: []vault.Header{{Name: "X-Typed", Value: "fakeTypedInHeader7Q2mZ4vL8kR1tW6yB3nH5"}, {Name: "X-Ref", Value: "{{apiSecret}}"}},
	}
	resp := send(t, f, spec)
	e := resp.HistoryEntry("dev", "saved", spec, time.Unix(1700000000, 0))
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "history entry", string(raw))
	if strings.Contains(string(raw), "fake-session-cookie-9999") {
		t.Error("a Set-Cookie value reached the history")
	}
	if e.Status != 200 || e.Auth != "oauth" || e.Name != "saved" || !strings.Contains(e.ResponseBody, `"ok":true`) || e.Timing.Total <= 0 {
		t.Fatalf("entry %+v", e)
	}
	// The request as written comes back for sending again: references kept,
	// typed credentials masked.
	tpl := e.Template
	if tpl == nil || !strings.Contains(tpl.URL, "q={{apiSecret}}") || !strings.Contains(tpl.URL, "api_key="+mask.Dots) || !strings.Contains(tpl.URL, "page=2") ||
		tpl.Headers[0].Value != mask.Dots || tpl.Headers[1].Value != "{{apiSecret}}" {
		t.Fatalf("template %+v", tpl)
	}
	if strings.Contains(string(raw), "typed-by-hand") || strings.Contains(string(raw), "fakeTypedInHeader") {
		t.Fatal("a typed credential reached the history")
	}
	fe := FailedHistoryEntry(&resp.Request, "dev", "", spec, time.Now(), fmt.Errorf("cannot reach x"))
	if fe.Error != "cannot reach x" || fe.URL != resp.Request.URL {
		t.Fatalf("failed entry %+v", fe)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	sizes := map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KB", 10 << 20: "10.0 MB", 3 << 30: "3.0 GB"}
	for n, want := range sizes {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	durs := map[time.Duration]string{0: "0", 850 * time.Microsecond: "850µs", 12300 * time.Microsecond: "12.3ms", 1200 * time.Millisecond: "1.20s"}
	for d, want := range durs {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
