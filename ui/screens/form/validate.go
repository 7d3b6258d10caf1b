package form

import (
	"errors"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// fieldError returns err's message when the vault names one of fields as
// the culprit, so each form field shows only its own problem. URL errors
// carry the field at the start of their message ("issuer: …").
func fieldError(err error, fields ...string) error {
	if err == nil {
		return nil
	}
	var ve *vault.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	f, msg := ve.Field, ve.Msg
	if f == "" {
		if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " \"") {
			f, msg = msg[:i], msg[i+2:]
		}
	}
	for _, want := range fields {
		if f == want || strings.HasPrefix(f, want+".") || strings.HasPrefix(f, want+"[") {
			// The message is shown under the group, away from the field:
			// "is required" alone would not say which one.
			if strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ") {
				msg = f[strings.LastIndexAny(f, ".[")+1:] + " " + msg
			}
			return errors.New(msg)
		}
	}
	return nil
}

// fieldOf returns the field a validation error names ("" when none).
func fieldOf(err error) string {
	var ve *vault.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	if ve.Field != "" {
		return ve.Field
	}
	if i := strings.Index(ve.Msg, ": "); i > 0 && !strings.ContainsAny(ve.Msg[:i], " \"") {
		return ve.Msg[:i]
	}
	return ""
}

// parseTime parses an optional date ("" = none).
func parseTime(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := vault.ParseExpiry(s)
	if err != nil {
		return nil, &vault.ValidationError{Kind: "form", Field: field, Msg: err.Error()}
	}
	return &t, nil
}

// splitList splits "a, b c" into ["a", "b", "c"].
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// parseParams parses "k=v" items separated by new lines or spaces.
func parseParams(field, s string) ([]vault.Param, error) {
	var out []vault.Param
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ' ' || r == '\t' }) {
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			return nil, &vault.ValidationError{Kind: "form", Field: field, Msg: "write each parameter as name=value (" + line + ")"}
		}
		out = append(out, vault.Param{Key: k, Value: v})
	}
	return out, nil
}

// joinParams renders params for editing.
func joinParams(ps []vault.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Key + "=" + p.Value
	}
	return strings.Join(parts, "\n")
}

func formatTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
