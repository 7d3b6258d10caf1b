package interchange

import (
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestSecretServiceInvalidUTF8: bytes that are not UTF-8 in a secret
// service file — in a name or in a value — are refused with their line and
// column, and nothing is imported, instead of read as U+FFFD.
func TestSecretServiceInvalidUTF8(t *testing.T) {
	t.Parallel()
	testSecretServiceRefused(t, "not UTF-8", []refusedCase{
		{"name", "[{\"name\": \"b\xff\", \"type\": \"API_KEY\", \"value\": {\"key\": \"x\"}}]", 1, 13},
		{"value", "{\"name\": \"b\",\n \"type\": \"API_KEY\",\n \"value\": {\"key\": \"x\xe2\x82\"}}", 3, 21},
	})
}

// TestSecretServiceDuplicateKeys: a key given twice in one object of a secret
// service file — in a secret or in its value — is refused with its line and
// column, and nothing is imported, instead of the last one being kept.
func TestSecretServiceDuplicateKeys(t *testing.T) {
	t.Parallel()
	testSecretServiceRefused(t, "appears twice", []refusedCase{
		{"secret", "[{\"name\": \"a\", \"type\": \"API_KEY\",\n  \"name\": \"b\", \"value\": {\"key\": \"x\"}}]", 2, 11},
		{"value", "{\"name\": \"a\", \"type\": \"API_KEY\",\n \"value\": {\"key\": \"x\",\n  \"key\": \"y\"}}", 3, 10},
	})
}

// refusedCase is a secret service file refused for one problem at line:col.
type refusedCase struct {
	name, in  string
	line, col int
}

// testSecretServiceRefused checks that each file is refused with exactly
// one problem, at its line and column, saying want, and imports nothing.
func testSecretServiceRefused(t *testing.T, want string, cases []refusedCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, err := ParseSecretService([]byte(tt.in), SecretServiceOptions{Env: vault.DefaultEnv})
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 {
				t.Fatalf("imported (%d secrets): %v", len(b.Secrets), err)
			}
			if p := ie.Problems[0]; p.Line != tt.line || p.Col != tt.col || !strings.Contains(p.Msg, want) {
				t.Errorf("problem at %d:%d %q, want %d:%d, %s", p.Line, p.Col, p.Msg, tt.line, tt.col, want)
			}
			if !b.Empty() {
				t.Error("a refused file left a batch to import")
			}
		})
	}
}
