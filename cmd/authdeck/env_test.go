package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault/mask"
)

func TestEnvAddListUseShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("", "env", "add", "staging", "--tenant", "acme", "--description", "staging cluster")
	h.expect(exitOther, []string{`environment "staging" already exists`}, "", "env", "add", "staging")
	h.expect(exitOther, []string{`environment "a/b": name: must not contain "/"`}, "", "env", "add", "a/b")

	r := h.must("", "env", "list")
	lines := strings.Split(strings.TrimRight(r.out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "*  default") || !strings.Contains(lines[2], "staging  acme") || !strings.HasSuffix(lines[2], "staging cluster") {
		t.Fatalf("env list:\n%s", r.out)
	}
	// The columns line up: every row starts its NAME column at the same place.
	if strings.Index(lines[0], "NAME") != strings.Index(lines[1], "default") {
		t.Fatalf("columns not aligned:\n%s", r.out)
	}

	h.must("", "env", "use", "staging")
	var envs []envJSON
	if err := json.Unmarshal([]byte(h.must("", "env", "list", "--json").out), &envs); err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 || envs[0].Active || !envs[1].Active || envs[1].Tenant != "acme" {
		t.Fatalf("env list --json = %+v", envs)
	}
	h.expect(exitNotConfigured, []string{`no environment "prod"`}, "", "env", "use", "prod")

	r = h.must("", "env", "show")
	if !strings.Contains(r.out, "staging (active)") || !strings.Contains(r.out, "acme") || !strings.Contains(r.out, "No variables.") {
		t.Fatalf("env show:\n%s", r.out)
	}
	h.expect(exitNotConfigured, []string{`no environment "nope"`}, "", "env", "show", "nope")
	// --env and $AUTHDECK_ENV pick the environment; an unknown one is exit 2.
	h.expect(exitNotConfigured, []string{`no environment "ghost"`}, "", "secret", "list", "--env", "ghost")
	r = h.runWith(runOpts{env: map[string]string{"AUTHDECK_ENV": "ghost"}}, "", "client", "list")
	checkResult(t, r, exitNotConfigured, []string{`no environment "ghost"`}, []string{"client", "list"})
	r = h.runWith(runOpts{env: map[string]string{"AUTHDECK_ENV": "default"}}, "", "env", "use", "staging")
	if r.code != 0 || !strings.Contains(r.err, "AUTHDECK_ENV=default still overrides it") {
		t.Fatalf("env use with AUTHDECK_ENV: %+v", r)
	}
}

func TestEnvVariables(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const secret = "tok-9d1f0c2b7a6e5d4c3b2a"
	h.must("", "env", "set", "baseUrl", "https://api.example.com")
	h.must(secret+"\n", "env", "set", "apiToken", "--secret", "--value-stdin")

	// secret values are never taken from argv
	r := h.expect(exitOther, []string{"never taken from the command line"}, "", "env", "set", "other", "not-this-one-123", "--secret")
	noSecret(t, r, "not-this-one-123")
	h.expect(exitMissingInput, []string{"--value-stdin", "no terminal"}, "", "env", "set", "other", "--secret")
	h.expect(exitMissingInput, []string{"no value"}, "", "env", "set", "other")
	h.expect(exitOther, []string{`variable "bad/name": name: may only contain`}, "", "env", "set", "bad/name", "x")
	h.must("", "env", "set", "api key", "x") // inner spaces are allowed, as in Postman
	h.expect(exitOther, []string{"not both"}, "x\n", "env", "set", "other", "y", "--value-stdin")
	h.must("plain-from-stdin\n", "env", "set", "fromPipe", "--value-stdin")
	r = h.runWith(runOpts{tty: true}, "typed value\n", "env", "set", "typed")
	if r.code != 0 {
		t.Fatalf("env set on a terminal: %+v", r)
	}

	calls := h.store.Calls()
	r = h.must("", "env", "show")
	noSecret(t, r, secret)
	if !strings.Contains(r.out, "apiToken  "+mask.Dots) || !strings.Contains(r.out, "baseUrl   https://api.example.com") || !strings.Contains(r.out, "typed value") {
		t.Fatalf("env show:\n%s", r.out)
	}
	if h.store.Calls() != calls {
		t.Fatal("env show without --reveal read the vault")
	}
	var shown struct {
		Vars []envVarJSON `json:"vars"`
	}
	r = h.must("", "env", "show", "--json")
	noSecret(t, r, secret)
	if err := json.Unmarshal([]byte(r.out), &shown); err != nil {
		t.Fatal(err)
	}
	for _, v := range shown.Vars {
		if v.Name == "apiToken" && (!v.Secret || v.Value != nil) {
			t.Fatalf("secret variable in JSON: %+v", v)
		}
	}
	r = h.must("", "env", "show", "--reveal")
	if !strings.Contains(r.out, secret) {
		t.Fatal("env show --reveal does not print the secret variable")
	}

	h.must("", "env", "unset", "apiToken")
	h.expect(exitNotConfigured, []string{`no variable "apiToken" in environment "default"`}, "", "env", "unset", "apiToken")
	if h.storedKeys() != 0 {
		t.Fatalf("%d stored values after removing the only secret variable", h.storedKeys())
	}
}

func TestEnvRmConfirms(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(exitOther, []string{"the only one"}, "", "env", "rm", "default")
	h.must("", "env", "add", "empty")
	h.must("", "env", "rm", "empty") // empty: no question asked

	h.must("", "env", "add", "full")
	h.must("k\n", "secret", "add", "key", "--type", "API_KEY", "--value-stdin", "--env", "full")
	h.expect(exitMissingInput, []string{"--yes", "no terminal"}, "", "env", "rm", "full")
	if _, ok := h.catalog().Env("full"); !ok {
		t.Fatal("env rm without confirmation removed the environment")
	}
	r := h.runWith(runOpts{tty: true}, "n\n", "env", "rm", "full")
	checkResult(t, r, exitAborted, []string{`Remove environment "full" with 0 variables, 0 auth clients, 1 secrets, 0 requests? [y/N]`, `kept environment "full"`}, []string{"env", "rm"})
	r = h.runWith(runOpts{tty: true}, "y\n", "env", "rm", "full")
	if r.code != 0 {
		t.Fatalf("confirmed env rm: %+v", r)
	}
	if _, ok := h.catalog().Env("full"); ok || h.storedKeys() != 0 {
		t.Fatal("the environment or its stored value is still there")
	}
	h.must("", "env", "add", "again")
	h.must("k\n", "secret", "add", "key", "--type", "API_KEY", "--value-stdin", "--env", "again")
	h.must("", "env", "rm", "again", "--yes")
	h.expect(exitNotConfigured, []string{`no environment "again"`}, "", "env", "rm", "again")
}

// Listing reads the catalog only: zero store calls, even with --json.
func TestListCommandsMakeNoStoreCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("s3cret\n", "env", "set", "tok", "--secret", "--value-stdin")
	h.must("key-value\n", "secret", "add", "k", "--type", "API_KEY", "--value-stdin")
	h.must("client-secret\n", "client", "add", "c", "--token-url", "https://id.example.com/token", "--client-id", "id", "--auth-method", "client_secret_basic", "--client-secret-stdin")
	before := h.store.Calls()
	for _, args := range [][]string{
		{"env", "list"},
		{"env", "list", "--json"},
		{"env", "show"},
		{"env", "show", "--json"},
		{"client", "list"},
		{"client", "list", "--json"},
		{"secret", "list"},
		{"secret", "list", "--json"},
	} {
		h.must("", args...)
		if got := h.store.Calls(); got != before {
			t.Fatalf("authdeck %s made %d store calls", strings.Join(args, " "), got-before)
		}
	}
}

// TestFreshWorkspaceKeepsSecretVariables: in a brand-new home (a file
// catalog that does not exist yet), the first import and the first `env set`
// store secret variables under the default environment's one stable ID, so
// the values come back and requests can use them.
func TestFreshWorkspaceKeepsSecretVariables(t *testing.T) {
	t.Parallel()
	newFresh := func(t *testing.T) *harness {
		h, _ := newFileHomeHarness(t)
		h.v.Now = func() time.Time { return testNow }
		return h
	}
	t.Run("import http", func(t *testing.T) {
		t.Parallel()
		h := newFresh(t)
		path := writeFile(t, "login.http", "POST https://api.example.com/login\nContent-Type: application/x-www-form-urlencoded\n\nuser=alice&password=hunter2\n")
		h.must("", "import", "http", path)
		r := h.must("", "env", "show", "--reveal")
		if !strings.Contains(r.out, "hunter2") {
			t.Fatalf("the imported secret variable lost its value:\n%s", r.out)
		}
	})
	t.Run("env set", func(t *testing.T) {
		t.Parallel()
		h := newFresh(t)
		h.must("tok-9f1e", "env", "set", "TOKEN", "--secret", "--value-stdin")
		h.must("", "env", "set", "BASE", "https://api.example.com")
		r := h.must("", "env", "show", "--reveal")
		if !strings.Contains(r.out, "tok-9f1e") || !strings.Contains(r.out, "https://api.example.com") {
			t.Fatalf("env show:\n%s", r.out)
		}
	})
}
