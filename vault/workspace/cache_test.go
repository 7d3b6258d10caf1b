package workspace

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// TestKeptParseSeesEveryChange: whatever changes a file of the folder —
// an editor, a checkout, a pull, a tool that puts a file's time back — the
// next process parses the folder again and sees the change, and keeps that
// parse for the process after. Every change here leaves every file and
// directory older than the fingerprint's two-second window, so only the
// fingerprint can see it.
func TestKeptParseSeesEveryChange(t *testing.T) {
	t.Parallel()
	listUsers := requestPath("dev", []string{"Users", "Admin"}, "List users")
	cases := []struct {
		name string
		// change changes the folder (new: the bytes of items written
		// aside at set-up, as a pull would bring them).
		change func(t *testing.T, root string, new map[string][]byte)
		// backdate: date the folder back after the change, as a
		// checkout can.
		backdate bool
		check    func(c *vault.Catalog) string
	}{
		{
			name: "edited in place, same size", backdate: true,
			change: func(t *testing.T, root string, _ map[string][]byte) {
				edit(t, filepath.Join(root, secretPath("dev", "k")), `"one"`, `"two"`)
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "k") },
		},
		{
			name: "edited in place, modification time put back",
			change: func(t *testing.T, root string, _ map[string][]byte) {
				if runtime.GOOS != "linux" {
					t.Skip("change times are fingerprinted on Linux only")
				}
				file := filepath.Join(root, secretPath("dev", "k"))
				fi, err := os.Stat(file)
				if err != nil {
					t.Fatal(err)
				}
				// a file's change time has the kernel clock's tick: let it move on
				time.Sleep(20 * time.Millisecond)
				edit(t, file, `"one"`, `"two"`)
				if err := os.Chtimes(file, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "k") },
		},
		{
			name: "replaced by a rename, same size and time (a checkout)",
			change: func(t *testing.T, root string, _ map[string][]byte) {
				file := filepath.Join(root, secretPath("dev", "k"))
				dir := filepath.Dir(file)
				fi, err := os.Stat(file)
				if err != nil {
					t.Fatal(err)
				}
				di, err := os.Stat(dir)
				if err != nil {
					t.Fatal(err)
				}
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				tmp := filepath.Join(dir, ".k.json.tmp-1")
				if err := os.WriteFile(tmp, bytes.Replace(data, []byte(`"one"`), []byte(`"two"`), 1), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(tmp, file); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(dir, di.ModTime(), di.ModTime()); err != nil {
					t.Fatal(err)
				}
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "k") },
		},
		{
			name: "a file added", backdate: true,
			change: func(t *testing.T, root string, new map[string][]byte) {
				write(t, filepath.Join(root, secretPath("dev", "added")), new["added"])
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "added") },
		},
		{
			name: "a file removed", backdate: true,
			change: func(t *testing.T, root string, _ map[string][]byte) {
				if err := os.Remove(filepath.Join(root, secretPath("dev", "k"))); err != nil {
					t.Fatal(err)
				}
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "k") },
		},
		{
			name: "a file renamed", backdate: true,
			change: func(t *testing.T, root string, _ map[string][]byte) {
				if err := os.Rename(filepath.Join(root, secretPath("dev", "k")), filepath.Join(root, secretPath("dev", "j"))); err != nil {
					t.Fatal(err)
				}
			},
			check: func(c *vault.Catalog) string { return secretDesc(c, "j") },
		},
		{
			name: "a request two folders down edited in place", backdate: true,
			change: func(t *testing.T, root string, _ map[string][]byte) {
				edit(t, filepath.Join(root, filepath.FromSlash(listUsers)), "/users", "/USERS")
			},
			check: func(c *vault.Catalog) string { return requestAt(c, "List users") },
		},
		{
			name: "a folder added with a request in it", backdate: true,
			change: func(t *testing.T, root string, new map[string][]byte) {
				write(t, filepath.Join(root, filepath.FromSlash(requestPath("dev", []string{"Users", "Admin", "Deep"}, "Other"))), new["Other"])
			},
			check: func(c *vault.Catalog) string { return requestAt(c, "Other") },
		},
		{
			name: "a folder removed", backdate: true,
			change: func(t *testing.T, root string, _ map[string][]byte) {
				if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(requestPath("dev", []string{"Users"}, "x")), "..")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(c *vault.Catalog) string { return requestAt(c, "List users") },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := newFolder(t)
			p := newPerson(t, "bob")
			_, v := p.open(t, root)
			ctx := context.Background()
			if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"k", "added"} {
				if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: name, Env: "dev", Description: "one"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "value-0001"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range []string{"List users", "Other"} {
				if _, err := v.PutRequest(vault.Request{Name: name, Env: "dev", Folder: []string{"Users", "Admin"}, Method: "GET", URL: "https://api.example.com/users"}); err != nil {
					t.Fatal(err)
				}
			}
			// "added" and "Other" are what a later pull brings.
			new := map[string][]byte{}
			for name, rel := range map[string]string{"added": secretPath("dev", "added"), "Other": requestPath("dev", []string{"Users", "Admin"}, "Other")} {
				file := filepath.Join(root, filepath.FromSlash(rel))
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				new[name] = data
				if err := os.Remove(file); err != nil {
					t.Fatal(err)
				}
			}
			backdate(t, root)
			load := func() (*Workspace, *vault.Catalog) {
				t.Helper()
				w, _ := p.open(t, root)
				c, err := w.Load()
				if err != nil {
					t.Fatal(err)
				}
				return w, c
			}
			w, before := load()
			if w.parses != 1 {
				t.Fatalf("the first process parsed %d times", w.parses)
			}
			if w, _ = load(); w.parses != 0 {
				t.Fatalf("an unchanged folder was parsed (%d)", w.parses)
			}
			tc.change(t, root, new)
			if tc.backdate {
				backdate(t, root)
			}
			w, after := load()
			if w.parses != 1 {
				t.Fatalf("the change was not seen: parsed %d times", w.parses)
			}
			if got, was := tc.check(after), tc.check(before); got == was {
				t.Fatalf("the catalog after the change shows %q, as before it", got)
			}
			w, again := load()
			if w.parses != 0 || tc.check(again) != tc.check(after) {
				t.Fatalf("the parse after the change was not kept: parsed %d times, %q then %q", w.parses, tc.check(after), tc.check(again))
			}
		})
	}
}

// edit replaces old with new (of the same length) in file, in place: the
// same inode, as an editor that writes over a file does.
func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(data, []byte(old), []byte(new), 1)
	if len(old) != len(new) || bytes.Equal(changed, data) {
		t.Fatalf("%s holds no %q: %s", file, old, data)
	}
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(changed, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, file string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// secretDesc says whether the catalog has the secret and its description.
func secretDesc(c *vault.Catalog, name string) string {
	if s, ok := c.Secret("dev", name); ok {
		return "description " + s.Description
	}
	return "no secret " + name
}

// requestAt says where the catalog's request is and what it asks.
func requestAt(c *vault.Catalog, name string) string {
	i := slices.IndexFunc(c.Requests, func(r vault.Request) bool { return r.Name == name })
	if i < 0 {
		return "no request " + name
	}
	return strings.Join(c.Requests[i].Folder, "/") + " " + c.Requests[i].URL
}

// FuzzDecodeCache: a kept parse damaged in any way (a crash mid-write, a
// disk error, another program) is an error or a snapshot, never a panic;
// an encoding of encodeCache decodes to what was encoded.
func FuzzDecodeCache(f *testing.F) {
	w := &Workspace{root: "/repo/authdeck"}
	s := &snapshot{
		meta:     Meta{Version: 1, ID: "abc", Name: "payments"},
		envs:     []vault.Environment{{ID: "e1", Name: "dev", Description: "line one\nline two"}},
		secrets:  []vault.Secret{{Meta: vault.Meta{ID: "s1", Name: "k", Env: "dev"}, Type: vault.TypeAPIKey}},
		paths:    map[string]string{"env/e1": "environments/dev/environment.json", "secret/s1": "environments/dev/secrets/k.json"},
		requests: []vault.Request{{ID: "r1", Name: "r", Env: "dev", Method: "POST", URL: "https://x.test", Body: "{\n}\r\n"}},
	}
	good, err := w.encodeCache(s, "\x01\x02fingerprint")
	if err != nil {
		f.Fatal(err)
	}
	got, h, err := decodeCache(good)
	if err != nil || h.Root != w.root || got.envs[0].Description != s.envs[0].Description || got.requests[0].Body != s.requests[0].Body || got.paths["secret/s1"] != s.paths["secret/s1"] {
		f.Fatalf("round trip: %+v, %v", got, err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("{\"format\":2,\"counts\":[0,0,0,0,0]}\n{}\n[]\n[]\n[]\n{}\n"))
	f.Add([]byte("{\"format\":2,\"counts\":[0,0,0,0,1]}\n{}\nnull\n[]\n[]\n{\"paths\":{\"a\":\"b\"},\"members\":[{\"recipient\":\"x\"}]}\n"))
	f.Add([]byte("{\"format\":2,\"counts\":[1000000000,0,0,0,0]}\n{\"envs\":[{}]}\n[]\n[{}]\n[]\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, h, err := decodeCache(data)
		if err == nil && (s.paths == nil || len(s.envs)+len(s.clients)+len(s.secrets)+len(s.requests) != h.Counts[0]+h.Counts[1]+h.Counts[2]+h.Counts[3]) {
			t.Fatal("a snapshot that is not what its header counts")
		}
	})
}

// TestLongRunningProcessTakesAnotherProcessParse: a process that read the
// folder (the TUI) and finds it changed since uses the parse another
// process kept of its new state, instead of parsing it again.
func TestLongRunningProcessTakesAnotherProcessParse(t *testing.T) {
	t.Parallel()
	root := newFolder(t)
	p := newPerson(t, "bob")
	tui, v := p.open(t, root)
	if _, err := v.AddEnv(vault.Environment{Name: "dev", Description: "one"}); err != nil {
		t.Fatal(err)
	}
	backdate(t, root)
	if _, err := tui.Load(); err != nil || tui.parses != 1 {
		t.Fatalf("first read: parsed %d times (%v)", tui.parses, err)
	}
	edit(t, filepath.Join(root, filepath.FromSlash(envPath("dev"))), `"one"`, `"two"`)
	backdate(t, root)
	cli, _ := p.open(t, root)
	if _, err := cli.Load(); err != nil || cli.parses != 1 {
		t.Fatalf("the other process: parsed %d times (%v)", cli.parses, err)
	}
	c, err := tui.Load()
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Env("dev"); e.Description != "two" || tui.parses != 1 {
		t.Fatalf("description %q, the long-running process parsed %d times", e.Description, tui.parses)
	}
}
