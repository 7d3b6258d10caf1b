package jsonpos

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestLineCol(t *testing.T) {
	t.Parallel()
	data := []byte("ab\ncd\n\nef")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{
		{-5, 1, 1}, {0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {99, 4, 3},
	} {
		if l, c := LineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	var v struct {
		N int `json:"n"`
	}
	for _, tt := range []struct {
		doc, want string
	}{
		{"{\n  \"n\": 1,\n}", `line 3, column 1: invalid character '}' looking for beginning of object key string`},
		{"{\n  \"n\": \"x\"\n}", "line 2, column 10: n should be int, not string"},
		{"{\"n\": 1", "line 1, column 7: unexpected end of JSON input"},
	} {
		err := json.Unmarshal([]byte(tt.doc), &v)
		if got := Describe([]byte(tt.doc), err); got != tt.want {
			t.Errorf("Describe(%q) = %q, want %q", tt.doc, got, tt.want)
		}
	}
	if got := Describe(nil, errors.New("plain")); got != "plain" {
		t.Errorf("an error without a position: %q", got)
	}
}
