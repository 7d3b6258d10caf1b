package interchange

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestDetectFormatCorpus checks that every real file of the corpus is
// recognised as the format of its folder, from its content and name.
func TestDetectFormatCorpus(t *testing.T) {
	t.Parallel()
	cases := map[string]Format{
		"postman": FormatPostman, "curl": FormatCurl, "http": FormatHTTP,
		"openapi": FormatOpenAPI, "insomnia": FormatInsomnia,
	}
	for dir, want := range cases {
		root := filepath.Join("testdata", "corpus", dir)
		n := 0
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !corpusFile(dir, p) {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			if got := DetectFormat(p, data); got != want {
				t.Errorf("%s: detected %q, want %q", p, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no corpus file under %s", root)
		}
	}
}

// corpusFile says which files of a corpus folder are imports of its format
// (licences and sources notes are not).
func corpusFile(dir, p string) bool {
	base := filepath.Base(p)
	switch dir {
	case "http":
		return strings.HasSuffix(base, ".http") || strings.HasSuffix(base, ".env.json")
	case "curl":
		return strings.HasSuffix(base, ".sh")
	}
	return !strings.EqualFold(base, "LICENSE") && !strings.HasSuffix(base, ".md")
}

func TestDetectFormatFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path string
		data string
		want Format
	}{
		{"secrets.json", `[{"data": {"type": "API_KEY", "name": "k"}},]`, FormatSecretService},
		{"one.json", `{"data": {"value": {"key": "x"}, "type": "API_KEY", "name": "k"}}`, FormatSecretService},
		{"bare.json", `{"type": "API_KEY", "name": "k", "value": {"key": "x"}}`, FormatSecretService},
		{"http-client.env.json", `{"dev": {"host": "https://x"}}`, FormatHTTP},
		{"http-client.env.json", `{"$shared": {"v": "1"}, "local": {"host": "https://x"}}`, FormatHTTP},
		{"other.json", `{"$schema": {"type": "object"}, "dev": {"host": "https://x"}}`, ""},
		{"bruno.json", `{"version": "1", "name": "c", "type": "collection"}`, FormatBruno},
		{"a.bru", "meta {\n  name: a\n}\n", FormatBruno},
		{"paste.txt", "# from the docs\ncurl -X POST https://x/y -d a=b\n", FormatCurl},
		{"paste.txt", "$ curl https://x\n", FormatCurl},
		{"reqs.txt", "GET https://x/y\nAccept: */*\n", FormatHTTP},
		{"api.yaml", "openapi: 3.0.0\npaths: {}\n", FormatOpenAPI},
		{"export.yaml", "_type: export\n__export_format: 4\n", FormatInsomnia},
		{"notes.txt", "hello\n", ""},
		{"empty.json", "", ""},
	}
	for _, c := range cases {
		if got := DetectFormat(c.path, []byte(c.data)); got != c.want {
			t.Errorf("DetectFormat(%s, %q) = %q, want %q", c.path, c.data, got, c.want)
		}
	}
}

func TestReadImportFile(t *testing.T) {
	t.Parallel()
	f, file, data, err := ReadImportFile(filepath.Join("testdata", "import", "bruno"), "")
	if err != nil || f != FormatBruno || filepath.Base(file) != BrunoCollectionFile || len(data) == 0 {
		t.Errorf("bruno folder: %q %q %d bytes, %v", f, file, len(data), err)
	}
	if _, _, _, err := ReadImportFile(filepath.Join("testdata", "import"), FormatPostman); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder as a Postman file: %v", err)
	}
	if _, _, _, err := ReadImportFile(filepath.Join(t.TempDir(), "nope.json"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	unknown := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(unknown, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ReadImportFile(unknown, ""); err == nil || !strings.Contains(err.Error(), "not recognised") {
		t.Errorf("unknown format: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), MaxImportFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ReadImportFile(big, FormatPostman); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

// TestPlanImportThenApply plans a real Postman collection with folders and
// a secret collection variable, then stores it: the value is in the vault,
// never in catalog.json.
func TestPlanImportThenApply(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	path := filepath.Join("testdata", "corpus", "postman", "bruno-import-issues.postman_collection.json")
	format, file, data, err := ReadImportFile(path, "")
	if err != nil || format != FormatPostman {
		t.Fatalf("read: %q %v", format, err)
	}
	before := f.catalogBytes(t)
	plan, err := PlanImport(context.Background(), f.v, mustLoad(t, f.v), ImportInput{
		Format: format, Path: file, Data: data,
		Active: func() (string, error) { return "dev", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, f.catalogBytes(t)) {
		t.Fatal("planning changed the catalog")
	}
	want := `Would import from ` + path + ` into environment "dev": 12 requests, 1 variable, 1 secret variable, 0 secrets, 0 auth clients.`
	if got := plan.Summary(true); got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
	sections := ReportSections(plan.Notes, "test")
	var titles []string
	for _, s := range sections {
		titles = append(titles, s.Title)
	}
	if strings.Join(titles, "|") != "Created:|To the test vault (values are not shown):|Skipped:" {
		t.Errorf("sections %q", titles)
	}
	c, err := plan.Apply(context.Background(), f.v)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := c.Request("dev", "Deep Valid Request")
	if !ok || strings.Join(r.Folder, "/") != "API Folder/Deep Subfolder" {
		t.Errorf("request in folders: %+v", r)
	}
	if bytes.Contains(f.catalogBytes(t), []byte("test-token-123")) {
		t.Error("the secret variable's value is in catalog.json")
	}
	vars, err := f.v.Vars(context.Background(), "dev")
	if err != nil || vars["token"] != "test-token-123" {
		t.Errorf("secret variable not in the vault (err %v)", err)
	}
}

// TestPlanImportRefused: a broken file is refused with its problems' line
// and column, and nothing changes.
func TestPlanImportRefused(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	before := f.catalogBytes(t)
	data := []byte("{\n  \"info\": {\"name\": \"x\"},\n  \"item\": [\n    {\"name\": \"a\" \"request\": {}}\n  ]\n}\n")
	_, err := PlanImport(context.Background(), f.v, mustLoad(t, f.v), ImportInput{
		Format: FormatPostman, Path: "broken.json", Data: data,
		Active: func() (string, error) { return "dev", nil },
	})
	var re *RefusedError
	if !errors.As(err, &re) || re.Source != "broken.json" {
		t.Fatalf("err = %v", err)
	}
	ps := Problems(err)
	if len(ps) == 0 || ps[0].Line != 4 {
		t.Errorf("problems %+v, want one on line 4", ps)
	}
	if !bytes.Equal(before, f.catalogBytes(t)) || len(f.store.Keys()) != 0 {
		t.Error("a refused import changed something")
	}
	_, err = PlanImport(context.Background(), f.v, mustLoad(t, f.v), ImportInput{Format: FormatCurl, Path: "-", Data: []byte("curl https://x"), Env: "nope"})
	var nf *vault.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("unknown environment: %v", err)
	}
}

// TestPlanImportEnv: a Postman environment file creates its own
// environment; an .http file goes to the active environment.
func TestPlanImportEnv(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	active := func() (string, error) { return "dev", nil }
	path := filepath.Join("testdata", "corpus", "postman", "wise-cards.postman_environment.json")
	format, file, data, err := ReadImportFile(path, "")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanImport(context.Background(), f.v, mustLoad(t, f.v), ImportInput{Format: format, Path: file, Data: data, Active: active})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Env == "dev" || len(plan.Batch.Envs) != 1 || plan.Batch.Envs[0].Name != plan.Env {
		t.Errorf("environment file went to %q (%d new environments)", plan.Env, len(plan.Batch.Envs))
	}
	path = filepath.Join("testdata", "corpus", "http", "zep", "memory.http")
	format, file, data, err = ReadImportFile(path, "")
	if err != nil {
		t.Fatal(err)
	}
	plan, err = PlanImport(context.Background(), f.v, mustLoad(t, f.v), ImportInput{Format: format, Path: file, Data: data, Active: active})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Env != "dev" || len(plan.Batch.Requests) == 0 {
		t.Errorf(".http file: env %q, %d requests", plan.Env, len(plan.Batch.Requests))
	}
}

// FuzzDetectFormat: any content and name is classified without a panic,
// and a format it names is one of Formats.
func FuzzDetectFormat(f *testing.F) {
	f.Add("a.json", []byte(`{"info": {}, "item": []}`))
	f.Add("a.txt", []byte("curl 'https://x' -H 'a: b'"))
	f.Add("a.yaml", []byte("openapi: 3.1.0\n"))
	f.Add("a.http", []byte("GET /x\nHost: y\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		got := DetectFormat(name, data)
		if got != "" && !slices.Contains(Formats, got) {
			t.Fatalf("DetectFormat = %q", got)
		}
	})
}
