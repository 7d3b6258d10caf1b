package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// seedToken stores an auth client "api" with a valid token set.
func seedToken(t *testing.T, h *harness, token string) {
	t.Helper()
	ctx := context.Background()
	_, err := h.v.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://auth.example/token"}, ClientID: "c", AuthMethod: vault.AuthClientSecretBasic,
		Grant: vault.GrantClientCredentials,
	}, &vault.ClientCredentials{ClientSecret: "client-secret-value"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "api"},
		&vault.SecretValue{AccessToken: token, TokenType: "Bearer", Expires: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
}

func needSh(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses /bin/sh")
	}
}

// S-33: exec gives CMD the token in an environment variable — not in its
// arguments — and passes CMD's output and exit code through.
func TestExecPassesTheTokenInTheEnvironment(t *testing.T) {
	t.Parallel()
	needSh(t)
	const token = "exec-token-4f1d2c3b5a69"
	h := newHarness(t)
	realNow(h)
	seedToken(t, h, token)
	dir := t.TempDir()
	envFile, argsFile := filepath.Join(dir, "env"), filepath.Join(dir, "args")
	script := `printf %s "$AUTHDECK_TOKEN" > "$1"; printf '%s\n' "$0" "$@" > "$2"; cat /proc/$$/cmdline >> "$2" 2>/dev/null; echo child-out; echo child-err >&2; exit 3`
	r := h.run("", "exec", "api", "--", "/bin/sh", "-c", script, "authdeck-child", envFile, argsFile)
	if r.code != 3 {
		t.Fatalf("exit %d, want the child's 3: %s", r.code, r.err)
	}
	if r.out != "child-out\n" || r.err != "child-err\n" {
		t.Errorf("streams not passed through: stdout %q stderr %q", r.out, r.err)
	}
	got, err := os.ReadFile(envFile)
	if err != nil || string(got) != token {
		t.Fatalf("the child did not get the token in AUTHDECK_TOKEN (%d bytes)", len(got))
	}
	args, _ := os.ReadFile(argsFile)
	if strings.Contains(string(args), token) {
		t.Errorf("the token is in the child's arguments")
	}

	custom := h.run("", "exec", "api", "--env-var", "GITHUB_TOKEN", "--", "/bin/sh", "-c", `test -n "$GITHUB_TOKEN" && test -z "$AUTHDECK_TOKEN"`)
	if custom.code != 0 {
		t.Errorf("--env-var: exit %d %s", custom.code, custom.err)
	}
	ok := h.run("", "exec", "api", "--", "/bin/sh", "-c", "exit 0")
	if ok.code != 0 {
		t.Errorf("exit 0 became %d", ok.code)
	}
	killed := h.run("", "exec", "api", "--", "/bin/sh", "-c", "kill -TERM $$")
	if killed.code != 128+15 || !strings.Contains(killed.err, "killed by terminated") {
		t.Errorf("signalled child: exit %d %q", killed.code, killed.err)
	}
}

// Usage errors and failures never run the command.
func TestExecFailures(t *testing.T) {
	t.Parallel()
	needSh(t)
	h := newHarness(t)
	realNow(h)
	seedToken(t, h, "exec-token-0000111122223333")
	marker := filepath.Join(t.TempDir(), "ran")
	touch := []string{"/bin/sh", "-c", "touch " + marker}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"exec", "api", "touch", marker}, 1, "usage: authdeck exec NAME"},
		{append([]string{"exec", "api", "--env-var", "1BAD", "--"}, touch...), 1, `--env-var "1BAD" is not a valid environment variable name`},
		{append([]string{"exec", "missing", "--"}, touch...), 2, `no auth client or secret "missing"`},
		{[]string{"exec", "api", "--", "/nonexistent/authdeck-cmd"}, 127, "command not found"},
	}
	for _, tc := range cases {
		h.expect(tc.code, []string{tc.want}, "", tc.args...)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the command ran despite an error")
	}
}

// The child environment drops the vault passphrase and replaces VAR.
func TestChildEnv(t *testing.T) {
	t.Parallel()
	got := childEnv([]string{"PATH=/bin", "AUTHDECK_PASSPHRASE=hunter2", "AUTHDECK_TOKEN=stale", "HOME=/h"}, "AUTHDECK_TOKEN", "fresh")
	want := "PATH=/bin HOME=/h AUTHDECK_TOKEN=fresh"
	if strings.Join(got, " ") != want {
		t.Errorf("child env = %v, want %s", got, want)
	}
}
