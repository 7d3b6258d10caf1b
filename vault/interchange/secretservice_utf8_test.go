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
	for _, tt := range []struct {
		name, in  string
		line, col int
	}{
		{"name", "[{\"name\": \"b\xff\", \"type\": \"API_KEY\", \"value\": {\"key\": \"x\"}}]", 1, 13},
		{"value", "{\"name\": \"b\",\n \"type\": \"API_KEY\",\n \"value\": {\"key\": \"x\xe2\x82\"}}", 3, 21},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, err := ParseSecretService([]byte(tt.in), SecretServiceOptions{Env: vault.DefaultEnv})
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 {
				t.Fatalf("imported (%d secrets): %v", len(b.Secrets), err)
			}
			if p := ie.Problems[0]; p.Line != tt.line || p.Col != tt.col || !strings.Contains(p.Msg, "not UTF-8") {
				t.Errorf("problem at %d:%d %q, want %d:%d, not UTF-8", p.Line, p.Col, p.Msg, tt.line, tt.col)
			}
			if !b.Empty() {
				t.Error("a refused file left a batch to import")
			}
		})
	}
}

// TestSecretServiceDuplicateKeys: a key given twice in one object of a secret
// service file — in a secret or in its value — is refused with its line and
// column, and nothing is imported, instead of the last one being kept.
func TestSecretServiceDuplicateKeys(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in  string
		line, col int
	}{
		{"secret", "[{\"name\": \"a\", \"type\": \"API_KEY\",\n  \"name\": \"b\", \"value\": {\"key\": \"x\"}}]", 2, 11},
		{"value", "{\"name\": \"a\", \"type\": \"API_KEY\",\n \"value\": {\"key\": \"x\",\n  \"key\": \"y\"}}", 3, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, err := ParseSecretService([]byte(tt.in), SecretServiceOptions{Env: vault.DefaultEnv})
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 {
				t.Fatalf("imported (%d secrets): %v", len(b.Secrets), err)
			}
			if p := ie.Problems[0]; p.Line != tt.line || p.Col != tt.col || !strings.Contains(p.Msg, "appears twice") {
				t.Errorf("problem at %d:%d %q, want %d:%d, appears twice", p.Line, p.Col, p.Msg, tt.line, tt.col)
			}
			if !b.Empty() {
				t.Error("a refused file left a batch to import")
			}
		})
	}
}
