package interchange

import (
	"strings"
	"testing"
)

// TestPostmanCollectionAndFolderScriptsListed: scripts on the collection
// and on folders — which Postman runs around every request below them — are
// listed as skipped like a request's own, never dropped silently; an empty
// script is not listed.
func TestPostmanCollectionAndFolderScriptsListed(t *testing.T) {
	t.Parallel()
	col := `{"info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
	 "event": [{"listen": "prerequest", "script": {"exec": ["pm.environment.set('ts', Date.now())"]}},
	           {"listen": "test", "script": {"exec": [""]}}],
	 "item": [
	  {"name": "Orders", "event": [{"listen": "test", "script": {"exec": "pm.test('ok', () => pm.response.to.have.status(200))"}}],
	   "item": [{"name": "Admin", "item": [
	     {"name": "list", "request": {"method": "GET", "url": "https://shop.example/orders"},
	      "event": [{"listen": "prerequest", "script": {"exec": ["console.log(1)"]}}]}]}]},
	  {"name": "plain", "request": {"method": "GET", "url": "https://shop.example/"}}
	 ]}`
	_, notes, err := ParsePostman([]byte(col), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		`collection "Shop"`:               "pre-request script not run",
		`folder "Orders"`:                 "test script not run",
		`request "Orders › Admin › list"`: "pre-request script not run",
	}
	skipped := 0
	for _, n := range notes {
		if n.Kind != NoteSkipped || !strings.Contains(n.Msg, "script") {
			continue
		}
		skipped++
		w, ok := want[n.Item]
		if !ok || !strings.Contains(n.Msg, w) {
			t.Errorf("unexpected note %s: %s", n.Item, n.Msg)
		}
	}
	if skipped != len(want) {
		t.Fatalf("%d scripts listed as skipped, want %d: %v", skipped, len(want), notes)
	}
}
