package request

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
)

const disabledToken = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"

// TestHistoryKeepsDisabledHeaders: headers switched off in the console are
// kept, off, in the history; the entry reloaded brings them back disabled
// in their places, a literal credential among them masked, never kept.
func TestHistoryKeepsDisabledHeaders(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/items?page=2&trace=1")
	f.m.setFocus(fieldParams)
	f.d.Press("down", "space") // trace off
	f.m.setFocus(fieldHeaders)
	f.addRow("X-Debug", "1")
	f.d.Press("space") // off
	f.addRow("Accept", "application/json")
	f.addRow("Authorization", "Bearer "+disabledToken)
	f.d.Press("space") // off
	f.addRow("X-Tenant", "{{tenant}}")
	f.d.Press("space") // off
	before := rowNames(f.m.headers.Rows())
	f.sendAndWait(t)
	w := got()
	if len(w) != 1 || w[0].header.Get("X-Debug") != "" || w[0].header.Get("Authorization") != "" || w[0].header.Get("Accept") != "application/json" {
		t.Fatalf("sent %d requests (err %v); disabled headers must not be sent", len(w), f.m.Err())
	}
	f.typeURL("http://127.0.0.1:1/elsewhere")
	f.m.headers.SetRows(nil)
	f.m.setFocus(fieldResponse)
	f.d.Press("H", "enter")
	want := strings.Replace(before, "Bearer "+disabledToken, "••••••••", 1)
	if rows := rowNames(f.m.headers.Rows()); rows != want {
		t.Errorf("reloaded headers %s, want %s", rows, want)
	}
	if rows := rowNames(f.m.params.Rows()); rows != "page=2 !trace=1" {
		t.Errorf("reloaded params %s", rows)
	}
	assertNoToken(t, f.m.History())
	// The entry as stored on disk says the same.
	h, err := historyStore(f.c.Home)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.List()
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored history: %d entries, %v", len(stored), err)
	}
	assertNoToken(t, stored)
	if n := disabledCount(stored[0].Template.Headers); n != 3 {
		t.Errorf("the stored entry keeps %d disabled headers, want 3", n)
	}
}

func assertNoToken(t *testing.T, entries []history.Entry) {
	t.Helper()
	for _, e := range entries {
		if b, _ := json.Marshal(e); strings.Contains(string(b), disabledToken) || strings.Contains(string(b), disabledToken[:12]) {
			t.Fatal("the history keeps the literal token of a disabled header")
		}
	}
}

func disabledCount(hs []vault.Header) int {
	n := 0
	for _, h := range hs {
		if h.Disabled {
			n++
		}
	}
	return n
}
