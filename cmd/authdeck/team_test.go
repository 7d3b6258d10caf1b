package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/authdeck/authdeck/vault"
)

// teammate runs commands in-process as one person of a team: their own
// authdeck home, age key and personal vault (kept across commands), in a
// working directory inside the repository.
type teammate struct {
	t        *testing.T
	name     string
	home     string
	key      string // private key file
	pub      string // public key (age1…)
	dir      string // working directory
	personal *vault.Vault
	env      map[string]string
	// realTime runs commands at the wall clock's time (tokens from a real
	// provider), not at testNow.
	realTime bool
}

func newTeammate(t *testing.T, name, dir string) *teammate {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(home, "age-key.txt")
	if err := os.WriteFile(key, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := vault.NewMemory()
	p.Now = func() time.Time { return testNow }
	return &teammate{
		t: t, name: name, home: home, key: key, pub: id.Recipient().String(), dir: dir, personal: p,
		env: map[string]string{"AUTHDECK_VAULT": vault.BackendMemory, "AUTHDECK_HOME": filepath.Join(home, ".authdeck"), "AUTHDECK_IDENTITY": key, "HOME": home, "PATH": ""},
	}
}

func (m *teammate) runIn(dir, stdin string, args ...string) result {
	m.t.Helper()
	var out, errb bytes.Buffer
	now := func() time.Time { return testNow }
	if m.realTime {
		now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
		m.personal.Now = now
	}
	a := &App{
		IO:     IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InFd: -1},
		Getenv: func(k string) string { return m.env[k] },
		Now:    now,
		Dir:    dir,
		OpenVault: func(a *App) (*vault.Vault, error) {
			return a.inTeamWorkspace(m.personal, nil)
		},
	}
	code := a.Run(args)
	return result{out: out.String(), err: errb.String(), code: code}
}

func (m *teammate) run(stdin string, args ...string) result {
	m.t.Helper()
	return m.runIn(m.dir, stdin, args...)
}

func (m *teammate) must(stdin string, args ...string) result {
	m.t.Helper()
	r := m.run(stdin, args...)
	if r.code != 0 {
		m.t.Fatalf("%s: authdeck %s: exit %d\nstdout: %s\nstderr: %s", m.name, strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

func (m *teammate) expect(code int, want []string, stdin string, args ...string) result {
	m.t.Helper()
	r := m.run(stdin, args...)
	checkResult(m.t, r, code, want, args)
	return r
}

// newRepo makes a directory that is the top of a repository (it has .git).
func newRepo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "payments")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "src", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	return repo
}

// folderHolds fails when a file of the folder holds one of the values.
func folderHolds(t *testing.T, root string, values ...string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, v := range values {
			if bytes.Contains(b, []byte(v)) {
				t.Fatalf("S-45: %s holds secret %d", p, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

const (
	teamSandboxKey = "sk_test_TEAMsandbox0123456789abcdefgh"
	teamClientSec  = "cs-team-0123456789abcdefghij"
	aliceGithub    = "ghp_ALICEpersonal0123456789abcdefghij"
	bobGithub      = "ghp_BOBpersonal0123456789abcdefghijkl"
)

// S-45: two people share a workspace folder through the CLI: items are
// files, values stay in each person's vault, shared ones are encrypted to
// the team; what one still has to set is listed and set; removing a member
// re-encrypts without them.
func TestTeamWorkspaceCLI(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	alice := newTeammate(t, "alice", filepath.Join(repo, "src", "api"))
	bob := newTeammate(t, "bob", repo)

	// outside any team workspace, team commands say what to do
	alice.expect(2, []string{"personal workspace", "authdeck init"}, "", "team", "list")

	r := alice.must("", "init", "--key", alice.pub, "--me", "alice", "--env-name", "dev")
	root := filepath.Join(repo, "authdeck")
	if !strings.Contains(r.out, "Created the team workspace \"payments\" in "+root) || !strings.Contains(r.out, `You are in its team as "alice"`) {
		t.Fatalf("init:\n%s", r.out)
	}
	alice.expect(1, []string{"already in the team workspace"}, "", "init")
	alice.must("https://api.example.com\n", "env", "set", "baseUrl", "https://api.example.com")
	alice.must("tok-var-0123456789\n", "env", "set", "apiToken", "--secret", "--value-stdin")
	r = alice.must(teamClientSec+"\n", "client", "add", "svc", "--token-url", "https://id.example.com/token", "--client-id", "svc",
		"--auth-method", "client_secret_basic", "--client-secret-stdin", "--shared")
	if !strings.Contains(r.out, "Shared with the team") {
		t.Errorf("client add --shared:\n%s", r.out)
	}
	alice.must(teamSandboxKey+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--shared")
	alice.must(aliceGithub+"\n", "secret", "add", "github", "--type", "API_KEY", "--value-stdin")
	// an import goes to the team workspace like any change
	httpFile := writeFile(t, "users.http", "### List users\nGET {{baseUrl}}/users\nAccept: application/json\n")
	alice.must("", "import", "http", httpFile)
	if _, err := os.Stat(filepath.Join(root, "environments", "dev", "requests", "List users.http")); err != nil {
		t.Fatalf("the imported request is not a file of the folder: %v", err)
	}
	alice.must("", "team", "add", bob.pub, "--name", "bob")
	folderHolds(t, root, teamSandboxKey, teamClientSec, aliceGithub, "tok-var-0123456789")
	r = alice.must("", "check")
	if !strings.Contains(r.out, "No credential found") {
		t.Fatalf("check on a clean folder:\n%s", r.out)
	}

	// Bob: the shared values open with his key; his own are his to set.
	r = bob.must("", "team", "list", "--json")
	var tl struct {
		Members []struct {
			Name string `json:"name"`
			You  bool   `json:"you"`
		} `json:"members"`
		Shared []struct {
			Name       string   `json:"name"`
			SharedWith []string `json:"sharedWith"`
		} `json:"shared"`
	}
	if err := json.Unmarshal([]byte(r.out), &tl); err != nil {
		t.Fatal(err)
	}
	if len(tl.Members) != 2 || !tl.Members[1].You || len(tl.Shared) != 2 || strings.Join(tl.Shared[1].SharedWith, ",") != "alice,bob" {
		t.Errorf("team list for bob: %+v", tl)
	}
	r = bob.must("", "secret", "show", "stripe", "--reveal")
	if !strings.Contains(r.out, teamSandboxKey) {
		t.Errorf("bob does not see the shared secret:\n%s", r.out)
	}
	r = bob.must("", "doctor")
	for _, want := range []string{"you are \"bob\"", "2 values you still have to set", "secret github (dev)", "authdeck secret set github --env dev", "variable apiToken (dev)", "authdeck env set apiToken --secret --env dev"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("bob's doctor does not say %q:\n%s", want, r.out)
		}
	}
	bob.expect(3, []string{`secret "github" of environment "dev" has no value for you yet`, "authdeck secret set github --env dev"}, "", "secret", "show", "github", "--reveal")
	bob.must(bobGithub+"\n", "secret", "set", "github", "--value-stdin")
	bob.must("tok-bob-0123456789\n", "env", "set", "apiToken", "--secret", "--value-stdin")
	if r = bob.must("", "doctor"); !strings.Contains(r.out, "every value the workspace needs is set for you") {
		t.Errorf("bob's doctor after setting his values:\n%s", r.out)
	}
	if r = alice.must("", "secret", "show", "github", "--reveal"); !strings.Contains(r.out, aliceGithub) {
		t.Error("bob's value replaced alice's")
	}
	// Bob's own value of the shared secret overrides it for him only.
	bob.must("sk_test_BOBsown0123456789abcdefghijk\n", "secret", "set", "stripe", "--value-stdin", "--personal")
	if r = bob.must("", "secret", "show", "stripe", "--reveal"); !strings.Contains(r.out, "sk_test_BOBsown") {
		t.Error("bob's own value does not override the shared one")
	}
	if r = alice.must("", "secret", "show", "stripe", "--reveal"); !strings.Contains(r.out, teamSandboxKey) {
		t.Error("bob's own value changed the team's")
	}
	folderHolds(t, root, "sk_test_BOBsown0123456789abcdefghijk", bobGithub, "tok-bob-0123456789")

	// Alice removes Bob: the shared values are encrypted again without him.
	r = alice.must("", "team", "rm", "bob")
	if !strings.Contains(r.out, "Encrypted 2 shared values again") || !strings.Contains(r.err, "rotate these credentials") {
		t.Errorf("team rm:\n%s%s", r.out, r.err)
	}
	bobNoOverride := bob.run("", "secret", "show", "stripe", "--reveal")
	if !strings.Contains(bobNoOverride.out, "sk_test_BOBsown") {
		t.Errorf("bob's own value is gone after his removal: %s", bobNoOverride.all())
	}
	r = bob.run("", "client", "show", "svc", "--reveal")
	if strings.Contains(r.out, teamClientSec) {
		t.Fatal("S-45: a removed member still opens the shared client secret")
	}
	if !strings.Contains(r.all(), "does not open for you") {
		t.Errorf("a removed member is not told why the shared value does not open:\n%s", r.all())
	}
	if r = alice.must("", "client", "show", "svc", "--reveal"); !strings.Contains(r.out, teamClientSec) {
		t.Errorf("alice no longer opens the shared client secret:\n%s", r.out)
	}
}

// check finds a credential planted in each kind of file, says where, never
// what, and passes on the folder without it; a file that does not read is
// a finding with its line.
func TestCheckFindsPlantedCredentials(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	alice := newTeammate(t, "alice", repo)
	alice.must("", "init", "--key", alice.pub, "--me", "alice")
	alice.must("", "env", "add", "dev", "--use")
	alice.must(teamSandboxKey+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--shared")
	root := filepath.Join(repo, "authdeck")
	mustWrite := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clean := alice.must("", "check")
	if !strings.Contains(clean.out, "No credential found") {
		t.Fatalf("clean folder: %s", clean.all())
	}
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	cases := []struct {
		name, file, content, want string
	}{
		{"variable", "environments/dev/environment.json", "{\n  \"id\": \"e1\",\n  \"variables\": [\n    {\n      \"name\": \"api_password\",\n      \"value\": \"hunter2-correct-horse\"\n    }\n  ]\n}\n", "environments/dev/environment.json:6: the variable \"api_password\""},
		{"client param", "environments/dev/clients/svc.json", "{\n  \"id\": \"c1\",\n  \"type\": \"OA2_AUTHORIZATION_CODE\",\n  \"endpoints\": {\"token\": \"https://id.example.com/token\"},\n  \"clientId\": \"svc\",\n  \"authMethod\": \"none\",\n  \"tokenParams\": [\n    {\"key\": \"client_secret\", \"value\": \"s3cr3t-value-here\"}\n  ]\n}\n", "environments/dev/clients/svc.json:8: \"client_secret\" holds"},
		{"secret metadata", "environments/dev/secrets/leak.json", "{\n  \"id\": \"s1\",\n  \"type\": \"API_KEY\",\n  \"description\": \"" + jwt + "\"\n}\n", "environments/dev/secrets/leak.json:4: \"description\" holds a JWT"},
		{"request header", "environments/dev/requests/users.http", "### users\n# @id r1\nGET https://api.example.com/users\nAuthorization: Bearer abcdefghijklmnop0123456789\n", "environments/dev/requests/users.http:4: the header \"Authorization\" holds an Authorization credential"},
		{"request body", "environments/dev/requests/login.http", "### login\n# @id r2\nPOST https://api.example.com/login\nContent-Type: application/json\n\n{\n  \"user\": \"me\",\n  \"password\": \"correct-horse-battery\"\n}\n", "environments/dev/requests/login.http:8: \"password\" holds"},
		{"request query", "environments/dev/requests/q.http", "### q\n# @id r3\nGET https://api.example.com/q\n    ?api_key=" + teamSandboxKey + "\n", "environments/dev/requests/q.http:4: the query parameter \"api_key\""},
		{"shared value in the clear", "environments/dev/secrets/stripe.age", "{\"key\":\"" + teamSandboxKey + "\"}\n", "environments/dev/secrets/stripe.age:1: is not an age-encrypted file"},
		{"private key as a member", "team/mallory.pub", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "team/mallory.pub:1: holds a private key"},
		{"readme", "NOTES.md", "token for staging: " + jwt + "\n", "NOTES.md:1: holds a JWT"},
	}
	for _, tc := range cases {
		p := filepath.Join(root, filepath.FromSlash(tc.file))
		old, readErr := os.ReadFile(p)
		mustWrite(p, tc.content)
		r := alice.run("", "check")
		if r.code != 1 || !strings.Contains(r.out, tc.want) {
			t.Errorf("%s: check exit %d, want 1 and %q:\n%s", tc.name, r.code, tc.want, r.all())
		}
		for _, v := range []string{"hunter2-correct-horse", "s3cr3t-value-here", jwt, "abcdefghijklmnop0123456789", "correct-horse-battery", teamSandboxKey, "b3BlbnNzaC1rZXktdjEAAAAA"} {
			if strings.Contains(r.all(), v) {
				t.Errorf("%s: check prints the value it found", tc.name)
			}
		}
		if readErr == nil {
			mustWrite(p, string(old))
		} else if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if r := alice.must("", "check"); !strings.Contains(r.out, "No credential found") {
		t.Errorf("the folder put back is not clean: %s", r.all())
	}
}

// The TUI's header names the team workspace and its folder (~ for the
// home directory), nothing in the personal one, and never passes on
// control characters from a hand-edited workspace file (S-40): such a
// name is refused with the file, line and field.
func TestWorkspaceLabelForTheHeader(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	alice := newTeammate(t, "alice", repo)
	app := func(dir string) *App {
		return &App{
			IO:     IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, InFd: -1},
			Getenv: func(k string) string { return alice.env[k] }, Dir: dir,
		}
	}
	if name, path := app(repo).workspaceLabel(); name != "" || path != "" {
		t.Fatalf("personal workspace: %q %q", name, path)
	}
	alice.must("", "init", "--key", alice.pub, "--me", "alice", "--name", "payments")
	root := filepath.Join(repo, "authdeck")
	name, path := app(filepath.Join(repo, "src")).workspaceLabel()
	if name != "payments" || path != root {
		t.Errorf("team workspace: %q %q, want payments %q", name, path, root)
	}
	alice.env["HOME"] = filepath.Dir(repo)
	if _, path = app(repo).workspaceLabel(); path != filepath.Join("~", "payments", "authdeck") {
		t.Errorf("the folder under the home directory: %q", path)
	}
	marker := filepath.Join(root, "authdeck-workspace.json")
	b, err := os.ReadFile(marker)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, bytes.Replace(b, []byte(`"payments"`), []byte(`"pay\u001b]0;pwned\u0007"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	edited := readFile(t, marker)
	if name, _ = app(repo).workspaceLabel(); strings.ContainsAny(name, "\x1b\x07") {
		t.Errorf("a hand-edited name: %q", name)
	}
	// the name is refused, not only escaped: every command says which file
	// and field, without the control characters, and changes nothing
	r := alice.runIn(repo, "", "env", "list")
	if r.code == 0 || !strings.Contains(r.err, "authdeck-workspace.json:4: name contains the control character U+001B") || strings.ContainsAny(r.all(), "\x1b\x07") {
		t.Errorf("a workspace file with a control character in its name: exit %d %q", r.code, r.all())
	}
	if readFile(t, marker) != edited {
		t.Error("a refused workspace file was changed")
	}
}

// workspace export writes the personal workspace (or the environments
// named) as a team workspace folder: items as files, values copied into
// the person's vault and never into the folder (or left out with
// --no-values, then listed by doctor); an existing workspace folder is
// refused and left as it was.
func TestWorkspaceExport(t *testing.T) {
	t.Parallel()
	elsewhere := t.TempDir()
	alice := newTeammate(t, "alice", elsewhere)
	alice.must("", "env", "add", "dev", "--use")
	alice.must("", "env", "set", "baseUrl", "https://api.example.com")
	alice.must(aliceGithub+"\n", "secret", "add", "github", "--type", "API_KEY", "--value-stdin")
	alice.must("", "env", "add", "staging")
	alice.must(teamSandboxKey+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--env", "staging")

	repo := newRepo(t)
	root := filepath.Join(repo, "authdeck")
	r := alice.must("", "workspace", "export", root, "--env", "dev", "--name", "payments")
	if !strings.Contains(r.out, `Wrote the team workspace "payments"`) || !strings.Contains(r.out, "1 environment, 0 auth clients, 1 secret") {
		t.Fatalf("export:\n%s", r.all())
	}
	if _, err := os.Stat(filepath.Join(root, "environments", "dev", "secrets", "github.json")); err != nil {
		t.Errorf("the secret's metadata is not a file of the folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "environments", "staging")); err == nil {
		t.Error("an environment not named was exported")
	}
	folderHolds(t, root, aliceGithub, teamSandboxKey)
	if r = alice.runIn(repo, "", "secret", "show", "github", "--reveal"); r.code != 0 || !strings.Contains(r.out, aliceGithub) {
		t.Errorf("the value was not copied for the new workspace: %s", r.all())
	}
	if r = alice.runIn(repo, "", "check"); r.code != 0 {
		t.Errorf("check on the exported folder: %s", r.all())
	}

	before := readFile(t, filepath.Join(root, "authdeck-workspace.json"))
	r = alice.run("", "workspace", "export", root)
	if r.code == 0 || !strings.Contains(r.err, root+" is already a team workspace folder") {
		t.Errorf("export over a workspace folder: exit %d %s", r.code, r.all())
	}
	if readFile(t, filepath.Join(root, "authdeck-workspace.json")) != before {
		t.Error("a refused export changed the folder")
	}

	bare := filepath.Join(newRepo(t), "authdeck")
	alice.must("", "workspace", "export", bare, "--no-values")
	folderHolds(t, bare, aliceGithub, teamSandboxKey)
	r = alice.runIn(filepath.Dir(bare), "", "doctor")
	if !strings.Contains(r.out, "secret github (dev)") || !strings.Contains(r.out, "secret stripe (staging)") {
		t.Errorf("doctor after an export without values:\n%s", r.all())
	}
}
