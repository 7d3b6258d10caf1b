package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
)

// gitPerson is one person of a team in the end-to-end test: their own home
// (with an SSH key pair made by ssh-keygen, found where authdeck looks by
// default), their own personal vault, and their own clone of the team's
// repository.
type gitPerson struct {
	*teammate
	repo   string // their clone's working tree
	sshKey string // ~/.ssh/id_ed25519
}

func newGitPerson(t *testing.T, name, repo string) *gitPerson {
	t.Helper()
	m := newTeammate(t, name, repo)
	m.realTime = true
	delete(m.env, "AUTHDECK_IDENTITY") // the default: ~/.ssh/id_ed25519
	ssh := filepath.Join(m.home, ".ssh")
	if err := os.MkdirAll(ssh, 0o700); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(ssh, "id_ed25519")
	run(t, m.home, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@example.com", "-f", key)
	return &gitPerson{teammate: m, repo: repo, sshKey: key}
}

// git runs git as this person in their clone (no global or system
// configuration: their own name, no signing, no hooks).
func (p *gitPerson) git(args ...string) string {
	p.t.Helper()
	env := []string{
		"HOME=" + p.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "PATH=" + os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=" + p.name, "GIT_AUTHOR_EMAIL=" + p.name + "@example.com",
		"GIT_COMMITTER_NAME=" + p.name, "GIT_COMMITTER_EMAIL=" + p.name + "@example.com",
	}
	full := append([]string{"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "pull.rebase=false", "-c", "core.hooksPath=/dev/null"}, args...)
	return run(p.t, p.repo, env, "git", full...)
}

// run runs a program and returns its standard output; a failure ends the test.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, errb, err := runErr(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, errb)
	}
	return out
}

func runErr(dir string, env []string, name string, args ...string) (string, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// S-45, end to end as a team runs it: two people, each with their own home,
// SSH key and vault, share one bare git repository. Alice creates the team
// workspace, an environment, an auth client whose secret the team shares and
// a saved request, and pushes. Bob clones and, with nothing set by hand but
// his own missing value, gets a token from the playground and sends the
// request. Each adds or edits an item at the same time and git merges
// without a conflict. The shared file decrypts with the age tool and Bob's
// SSH key — until Alice removes him, then only with the members' keys. No
// file of either clone, nor of either home, ever holds a value.
func TestTeamWorkspaceTwoPeopleWithGit(t *testing.T) {
	t.Parallel()
	needTool(t, "git", "git")
	needTool(t, "age", "age")
	needTool(t, "ssh-keygen", "openssh-client")
	s := tokenPlayground(t)
	dc, ok := s.Client(playground.ClientServiceBasic)
	if !ok || dc.Secret == "" {
		t.Fatal("the playground has no confidential service client")
	}
	base := t.TempDir()
	origin := filepath.Join(base, "origin.git")
	run(t, base, nil, "git", "init", "-q", "--bare", "-b", "main", origin)

	aliceRepo, bobRepo := filepath.Join(base, "alice-payments"), filepath.Join(base, "bob-payments")
	alice := newGitPerson(t, "alice", aliceRepo)
	bob := newGitPerson(t, "bob", bobRepo)
	for _, p := range []*gitPerson{alice, bob} {
		if err := os.MkdirAll(p.repo, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	alice.git("clone", "-q", origin, ".")

	// Alice: the workspace, her key as the team's first member.
	r := alice.must("", "init", "--env-name", "dev", "--me", "alice")
	if _, err := os.Stat(filepath.Join(aliceRepo, "authdeck", "authdeck-workspace.json")); err != nil {
		t.Fatalf("init made no workspace folder at the clone's top: %v", err)
	}
	if !strings.Contains(r.out, "Created the team workspace") || !strings.Contains(r.out, `"alice"`) {
		t.Fatalf("init:\n%s", r.all())
	}
	alice.must("", "env", "set", "baseUrl", s.APIURL)
	r = alice.must(dc.Secret+"\n", "client", "add", "svc", "--issuer", s.Issuer, "--client-id", dc.ClientID,
		"--auth-method", "client_secret_basic", "--scope", "api:read", "--client-secret-stdin", "--shared")
	if !strings.Contains(r.out, "Shared with the team") {
		t.Fatalf("client add --shared:\n%s", r.all())
	}
	alice.must(alicePartner+"\n", "secret", "add", "partner", "--type", "API_KEY", "--header-name", "X-Partner-Key", "--value-stdin")
	alice.must("", "request", "GET", "{{baseUrl}}/me", "--auth", "svc", "--save", "me", "--no-history")
	bobPub := strings.TrimSpace(readFile(t, bob.sshKey+".pub"))
	alice.must("", "team", "add", bobPub, "--name", "bob")
	alice.must("", "check")
	alice.git("add", "-A")
	if st := alice.git("status", "--porcelain"); strings.Contains(st, ".lock") || strings.Contains(st, ".journal") {
		t.Fatalf("authdeck's scratch files would be committed:\n%s", st)
	}
	alice.git("commit", "-q", "-m", "authdeck workspace")
	alice.git("push", "-q", "origin", "main")

	// The age tool is the oracle: Bob's SSH key opens the shared file.
	shared := filepath.Join("authdeck", "environments", "dev", "clients", "svc.age")
	if out := run(t, aliceRepo, nil, "age", "-d", "-i", bob.sshKey, shared); !strings.Contains(out, dc.Secret) {
		t.Fatal("age -d with bob's SSH key does not give the shared client secret")
	}

	// Bob: clone, and use the workspace with no step but his own value.
	bob.git("clone", "-q", origin, ".")
	r = bob.must("", "token", "svc")
	tok := strings.TrimSpace(r.out)
	if code := apiStatus(t, s, tok); code != 200 {
		t.Fatalf("bob's token gets %d from the demo API", code)
	}
	r = bob.must("", "send", "me", "--no-history")
	if !strings.Contains(r.out, dc.ClientID) {
		t.Fatalf("bob's send me: %s", r.all())
	}
	r = bob.must("", "doctor")
	if !strings.Contains(r.out, "secret partner (dev)") || !strings.Contains(r.out, "authdeck secret set partner --env dev") {
		t.Errorf("bob's doctor does not list the value he still has to set:\n%s", r.out)
	}
	bob.expect(3, []string{`secret "partner" of environment "dev" has no value for you yet`}, "", "secret", "show", "partner", "--reveal")
	bob.must(bobPartner+"\n", "secret", "set", "partner", "--value-stdin")
	bob.must("", "request", "GET", "{{baseUrl}}/data", "--auth", "svc", "--save", "data", "--no-history")
	bob.git("add", "-A")
	bob.git("commit", "-q", "-m", "data request")
	bob.git("push", "-q", "origin", "main")

	alice.git("pull", "-q", "origin", "main")
	r = alice.must("", "send", "data", "--no-history")
	if !strings.Contains(r.out, "alpha") {
		t.Fatalf("alice does not send bob's request: %s", r.all())
	}

	// At the same time: Alice edits the environment, Bob the auth client's
	// description. Git merges the two without a conflict.
	alice.must("", "env", "set", "region", "eu-west-1")
	alice.git("commit", "-q", "-am", "region")
	bob.must("", "client", "edit", "svc", "--description", "the payments service")
	bob.git("commit", "-q", "-am", "describe svc")
	bob.git("push", "-q", "origin", "main")
	alice.git("pull", "-q", "--no-edit", "origin", "main")
	if st := alice.git("status", "--porcelain"); st != "" {
		t.Fatalf("the merge left changes:\n%s", st)
	}
	r = alice.must("", "client", "show", "svc")
	if !strings.Contains(r.out, "the payments service") {
		t.Errorf("bob's edit is not in alice's clone after the merge:\n%s", r.out)
	}
	if r = alice.must("", "env", "show"); !strings.Contains(r.out, "eu-west-1") {
		t.Errorf("alice's edit is lost in the merge:\n%s", r.out)
	}
	alice.git("push", "-q", "origin", "main")

	// Alice removes Bob: the shared file is encrypted again, and neither
	// authdeck nor the age tool opens it with his key any more.
	r = alice.must("", "team", "rm", "bob")
	if !strings.Contains(r.err, "rotate") {
		t.Errorf("team rm does not say to rotate the credential:\n%s", r.all())
	}
	alice.git("commit", "-q", "-am", "bob leaves")
	alice.git("push", "-q", "origin", "main")
	if out := run(t, aliceRepo, nil, "age", "-d", "-i", alice.sshKey, shared); !strings.Contains(out, dc.Secret) {
		t.Fatal("age -d with alice's key does not open the re-encrypted secret")
	}
	if out, errb, err := runErr(aliceRepo, nil, "age", "-d", "-i", bob.sshKey, shared); err == nil || strings.Contains(out, dc.Secret) {
		t.Fatalf("S-45: the removed member's key still opens the shared secret (age: %v %s)", err, errb)
	}
	bob.git("pull", "-q", "--no-edit", "origin", "main")
	r = bob.run("", "token", "svc", "--force")
	if r.code == 0 || strings.Contains(r.out, tok) || !strings.Contains(r.err, "does not open for you") {
		t.Fatalf("bob, removed, still gets a token or is not told why: exit %d\n%s", r.code, r.all())
	}

	// Nothing written — either clone, either home — holds a value, and no
	// commit of the history does.
	values := []string{dc.Secret, tok, alicePartner, bobPartner}
	for _, dir := range []string{aliceRepo, bobRepo, alice.home, bob.home} {
		folderHolds(t, dir, values...)
	}
	history := alice.git("log", "--all", "-p", "--binary")
	if !strings.Contains(history, "the payments service") {
		t.Fatal("git log -p does not show the items' changes")
	}
	for i, v := range values {
		if strings.Contains(history, v) {
			t.Errorf("S-45: the repository's history holds value %d", i)
		}
	}
}

const (
	alicePartner = "pk-alice-0123456789abcdefghij"
	bobPartner   = "pk-bob-0123456789abcdefghijkl"
)

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
