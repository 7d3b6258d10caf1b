package vault

import (
	"strings"
	"testing"
)

// Values HTTP cannot carry are refused when stored, naming the field
// (S-40): a saved request's header value, an API key, a stored token set.
func TestTerminalEscapesValuesHTTPCannotCarry(t *testing.T) {
	t.Parallel()
	r := Request{
		Name: "r", Env: "e", Method: "GET", URL: "https://api.example.com/",
		Headers: []Header{{Name: "Accept", Value: "text/plain"}, {Name: "X-Note", Value: "a\x01b"}},
	}
	err := r.Validate()
	if err == nil || !strings.Contains(err.Error(), `headers[1]: the value of "X-Note" holds the control character 0x01 at byte 1, which an HTTP request cannot carry`) {
		t.Errorf("request header value: %v", err)
	}
	r.Headers[1].Value = "a\u00e9b {{token}}"
	if err := r.Validate(); err != nil {
		t.Errorf("a printable header value is refused: %v", err)
	}
	for _, tc := range []struct {
		s    Secret
		v    SecretValue
		want string
	}{
		{Secret{Meta: Meta{Name: "k"}, Type: TypeAPIKey}, SecretValue{Key: "abc\x1b[2J"}, "value.key: holds the control character 0x1b at byte 3"},
		{Secret{Meta: Meta{Name: "t"}, Type: TypeOAuthToken}, SecretValue{AccessToken: "tok\x00"}, "value.accessToken: holds the control character 0x00 at byte 3"},
		{Secret{Meta: Meta{Name: "t"}, Type: TypeOAuthToken}, SecretValue{AccessToken: "ok", RefreshToken: "\x7f"}, "value.refreshToken: holds the control character 0x7f at byte 0"},
	} {
		if err := tc.s.ValidateValue(tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.s.Name, err, tc.want)
		}
	}
	ok := Secret{Meta: Meta{Name: "k"}, Type: TypeAPIKey}
	if err := ok.ValidateValue(SecretValue{Key: "Bearer aB0-._~+/=="}); err != nil {
		t.Errorf("a token68 key is refused: %v", err)
	}
}
