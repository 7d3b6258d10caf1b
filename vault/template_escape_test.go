package vault

import (
	"net/url"
	"testing"
)

func TestTemplateEscapeText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"a b&c", "a+b%26c"},
		{"q={{query}}&x=1 2", "q%3D{{query}}%26x%3D1+2"},
		{"{{a}}{{fields.b}}", "{{a}}{{fields.b}}"},
		{"", ""},
	} {
		tpl, err := ParseTemplate(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tpl.EscapeText(url.QueryEscape); got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
