package interchange

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrunoAndInsomniaScriptsListed: the scripts, tests and assertions of
// a Bruno collection.bru and folder.bru, and the pre-request and
// after-response scripts of Insomnia requests and folders, are listed as
// skipped (Bruno and Insomnia run those of a collection or folder around
// every request in it), never dropped without a word.
func TestBrunoAndInsomniaScriptsListed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"bruno.json":     `{"version": "1", "name": "b", "type": "collection"}`,
		"collection.bru": "script:pre-request {\n  req.setHeader(\"X-Ts\", Date.now());\n}\n",
		"F/folder.bru":   "meta {\n  name: F\n}\n\ntests {\n  test(\"ok\", function() {});\n}\n\nassert {\n  res.status: eq 200\n}\n",
		"F/r.bru":        "meta {\n  name: r\n  type: http\n  seq: 1\n}\n\nget {\n  url: https://api.example.com/r\n  body: none\n  auth: none\n}\n\nscript:post-response {\n  bru.setVar(\"x\", 1);\n}\n",
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "bruno.json")
	_, notes, err := ParseBruno([]byte(files["bruno.json"]), RequestImportOptions{Env: "dev", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkSkipped(t, "bruno", notes, map[string][]string{
		"collection.bru":            {"script:pre-request block (a script) not run"},
		`folder "F" (F/folder.bru)`: {"tests block (a script) not run", "assertions not run"},
		`request "r" (F/r.bru)`:     {"script:post-response block (a script) not run"},
	})

	ins := `{"_type": "export", "__export_format": 4, "resources": [
	 {"_id": "wrk_1", "_type": "workspace", "name": "w"},
	 {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "G", "preRequestScript": "insomnia.request.addHeader({key: 'X', value: '1'});"},
	 {"_id": "req_1", "_type": "request", "parentId": "fld_1", "name": "r", "method": "GET", "url": "https://api.example.com/i",
	  "preRequestScript": "  \n", "afterResponseScript": "insomnia.test('ok', () => {});"}]}`
	_, notes, err = ParseInsomnia([]byte(ins), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	checkSkipped(t, "insomnia", notes, map[string][]string{
		`folder "G"`:  {"pre-request script not run (Insomnia runs it for each request in the folder)"},
		`request "r"`: {"after-response script not run"},
	})
}

// checkSkipped checks that the script notes are exactly want (by item).
func checkSkipped(t *testing.T, format string, notes []Note, want map[string][]string) {
	t.Helper()
	n := 0
	for _, w := range want {
		n += len(w)
	}
	got := 0
	for _, note := range notes {
		if note.Kind != NoteSkipped || !strings.Contains(note.Msg, "not run") {
			continue
		}
		got++
		found := false
		for _, w := range want[note.Item] {
			found = found || strings.Contains(note.Msg, w)
		}
		if !found {
			t.Errorf("%s: unexpected note %s: %s", format, note.Item, note.Msg)
		}
	}
	if got != n {
		t.Errorf("%s: %d notes of what is not run, want %d: %v", format, got, n, notes)
	}
}
