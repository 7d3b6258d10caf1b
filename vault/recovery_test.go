package vault_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/authdeck/authdeck/vault"
)

// requireTools skips when a tool is missing, except in CI, where it fails.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (CI installs it from .ci/apt-packages.txt)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// readmeRecoveryCommands returns the commands of the README's "Recovering the
// file vault" section: the lines of its sh block that are not comments.
func readmeRecoveryCommands(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Recovering the file vault\n")
	if !ok {
		t.Fatal(`README.md has no "Recovering the file vault" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatal("the recovery section has no sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	var cmds []string
	for line := range strings.Lines(block) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// runWithPassphrase runs a shell command line in a terminal, types the
// passphrase at each prompt, and returns what it printed (prompts included)
// and how many prompts it answered.
func runWithPassphrase(t *testing.T, line, home, pass string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", line)
	cmd.Env = append(os.Environ(), "AUTHDECK_HOME="+home)
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out bytes.Buffer
	prompts := 0
	r := bufio.NewReader(tty)
	var pending []byte
	for {
		b, err := r.ReadByte()
		if err != nil {
			break // EIO once the command has exited
		}
		out.WriteByte(b)
		pending = append(pending, b)
		// age prints `Enter passphrase for identity file "…":` and then turns echo off.
		if bytes.Contains(pending, []byte("Enter passphrase")) && bytes.HasSuffix(bytes.TrimRight(pending, " "), []byte(":")) {
			prompts++
			pending = pending[:0]
			if _, err := io.WriteString(tty, pass+"\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out.String())
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), prompts
}

// The README's recovery commands, run as written with the real age tool and
// jq: age asks for the passphrase once, unwraps identity.age, and decrypts
// vault.age to the document and to a single value.
func TestREADMERecovery(t *testing.T) {
	t.Parallel()
	requireTools(t, "age", "jq", "base64", "bash")
	cmds := readmeRecoveryCommands(t)
	if len(cmds) != 2 {
		t.Fatalf("the recovery block has %d commands, want 2 (the whole document, one value): %q", len(cmds), cmds)
	}
	home := t.TempDir()
	s := newFileStore(t, home, testPass)
	const id = "00c0ffee00c0ffee"
	value := []byte(`{"key":"recovered-api-key-8d1f","headerName":"X-API-Key"}`)
	ctx := context.Background()
	if _, err := s.Apply(ctx, []vault.Change{{Key: "secret/" + id, Value: value}, {Key: "env/other", Value: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}

	out, prompts := runWithPassphrase(t, cmds[0], home, testPass)
	if prompts != 1 {
		t.Fatalf("age asked for the passphrase %d times, want once:\n%s", prompts, out)
	}
	start := strings.Index(out, `{"format"`)
	if start < 0 {
		t.Fatalf("%s printed no vault document:\n%s", cmds[0], out)
	}
	var doc testVaultDoc
	if err := json.NewDecoder(strings.NewReader(out[start:])).Decode(&doc); err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	if doc.Format != "authdeck-vault" || doc.Version != 1 || !bytes.Equal(doc.Values["secret/"+id], value) || len(doc.Values) != 2 {
		t.Fatalf("the recovered document is not the vault (format %q, version %d, %d values)", doc.Format, doc.Version, len(doc.Values))
	}

	line := strings.ReplaceAll(cmds[1], "<id>", id)
	out, prompts = runWithPassphrase(t, line, home, testPass)
	if prompts != 1 {
		t.Fatalf("age asked for the passphrase %d times, want once:\n%s", prompts, out)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), string(value)) {
		t.Fatal("the one-value command did not print the stored value")
	}

	// A wrong passphrase recovers nothing.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", cmds[0])
	cmd.Env = append(os.Environ(), "AUTHDECK_HOME="+home)
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	_, _ = io.WriteString(tty, "not the passphrase\n")
	rest, _ := io.ReadAll(tty)
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || bytes.Contains(rest, value) || !bytes.Contains(rest, []byte("incorrect passphrase")) {
		t.Fatalf("with a wrong passphrase: err = %v, value printed: %v, output:\n%s", err, bytes.Contains(rest, value), rest)
	}
}
