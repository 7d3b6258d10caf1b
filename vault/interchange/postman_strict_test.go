package interchange

import (
	"errors"
	"strings"
	"testing"
)

// TestPostmanInvalidUTF8AndDuplicateKeys: a Postman collection or
// environment with bytes that are not UTF-8, or a key given twice in one
// object, is refused with the line and column, and nothing is imported —
// not read as U+FFFD, not the last of the two values kept.
func TestPostmanInvalidUTF8AndDuplicateKeys(t *testing.T) {
	t.Parallel()
	const schema = `"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"`
	for _, tt := range []struct {
		name, data string
		line, col  int
		want       string
	}{
		{"collection, invalid UTF-8", "{\"info\": {\"name\": \"c\xff\", " + schema + "},\n \"item\": []}", 1, 21, "UTF-8"},
		{"collection, key twice", "{\"info\": {\"name\": \"c\", " + schema + "},\n \"item\": [{\"name\": \"r\",\n  \"request\": {\"method\": \"GET\", \"method\": \"DELETE\", \"url\": \"https://x.example/\"}}]}", 3, 32, `"method"`},
		{"environment, key twice", "{\"name\": \"e\",\n \"values\": [{\"key\": \"a\", \"value\": \"1\", \"value\": \"2\"}]}", 2, 40, `"value"`},
		{"environment, invalid UTF-8", "{\"name\": \"e\",\n \"values\": [{\"key\": \"a\xc3\", \"value\": \"1\"}]}", 2, 23, "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, _, err := ParsePostman([]byte(tt.data), RequestImportOptions{})
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 {
				t.Fatalf("imported (%d requests, %d environments): %v", len(b.Requests), len(b.Envs), err)
			}
			p := ie.Problems[0]
			if p.Line != tt.line || p.Col != tt.col || !strings.Contains(p.Msg, tt.want) {
				t.Errorf("problem at %d:%d %q, want %d:%d mentioning %s", p.Line, p.Col, p.Msg, tt.line, tt.col, tt.want)
			}
			if !b.Empty() {
				t.Errorf("a refused file left a batch to import")
			}
		})
	}
}
