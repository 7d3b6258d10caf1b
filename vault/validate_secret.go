package vault

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/vault/termsafe"
)

// Validate checks a secret's metadata.
func (s *Secret) Validate() error {
	const kind = "secret"
	if err := validateMeta(kind, &s.Meta); err != nil {
		return err
	}
	fail := func(field, msg string) error {
		return &ValidationError{Kind: kind, Name: s.Name, Field: field, Msg: msg}
	}
	known := false
	for _, t := range SecretTypes {
		known = known || t == s.Type
	}
	if !known {
		names := make([]string, len(SecretTypes))
		for i, t := range SecretTypes {
			names[i] = string(t)
		}
		if s.Type == "" {
			return fail("type", "is required ("+strings.Join(names, ", ")+")")
		}
		return fail("type", fmt.Sprintf("%q is not one of %s", s.Type, strings.Join(names, ", ")))
	}
	switch s.Placement {
	case "", PlaceHeader, PlaceBody, PlaceQuery:
	default:
		return fail("placement", fmt.Sprintf("%q is not header, body or query", s.Placement))
	}
	if s.Type == TypeSessionAuth && s.AuthClient == "" {
		return fail("authClient", "is required for SESSION_AUTH")
	}
	if s.HeaderName != "" {
		if err := ValidateHeaderName(s.HeaderName); err != nil {
			return fail("headerName", err.Error())
		}
	}
	return nil
}

// ValidateHeaderName checks that h holds only characters an HTTP header
// name may have (RFC 9110 tokens); callers check for an empty name.
func ValidateHeaderName(h string) error {
	for _, r := range h {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return fmt.Errorf("%q is not a valid HTTP header name", h)
		}
	}
	return nil
}

// controlInHTTPValue says why s cannot be sent in an HTTP header, or "":
// a header value never holds an ASCII control character (RFC 9110 §5.5),
// and neither does a token or a key (RFC 6749 Appendix A), so such a value
// is refused when stored, not found out as a failed request later (S-40).
func controlInHTTPValue(s string) string {
	if i := termsafe.IndexCTL(s); i >= 0 {
		return fmt.Sprintf("holds the control character 0x%02x at byte %d, which an HTTP request cannot carry", s[i], i)
	}
	return ""
}

// valueChecks holds, per secret type, what its value must carry; each check
// returns the field at fault (without "value.") and the message, or "".
var valueChecks = map[SecretType]func(v SecretValue) (field, msg string){
	TypeAPIKey:      checkAPIKeyValue,
	TypeSimple:      checkSimpleValue,
	TypeOAuthToken:  checkOAuthTokenValue,
	TypeSessionAuth: checkSessionAuthValue,
	TypePrivateKey:  checkPrivateKeyValue,
	TypeClientCert:  checkClientCertValue,
	TypeOAuth1Token: checkOAuth1TokenValue,
}

// ValidateValue checks that v carries what a secret of type s.Type needs.
func (s *Secret) ValidateValue(v SecretValue) error {
	check, ok := valueChecks[s.Type]
	if !ok {
		return nil
	}
	if field, msg := check(v); msg != "" {
		return &ValidationError{Kind: "secret", Name: s.Name, Field: "value." + field, Msg: msg}
	}
	return nil
}

func checkAPIKeyValue(v SecretValue) (field, msg string) {
	if v.Key == "" {
		return "key", "is required"
	}
	if v.HeaderName != "" {
		if err := ValidateHeaderName(v.HeaderName); err != nil {
			return "headerName", err.Error()
		}
	}
	if strings.ContainsAny(v.Key, "\r\n") {
		return "key", "must not contain line breaks"
	}
	return "key", controlInHTTPValue(v.Key)
}

func checkSimpleValue(v SecretValue) (field, msg string) {
	if v.Username == "" {
		return "username", "is required"
	}
	if strings.Contains(v.Username, ":") {
		return "username", `must not contain ":" (HTTP basic uses it as the separator)`
	}
	return "", ""
}

func checkOAuthTokenValue(v SecretValue) (field, msg string) {
	if v.AccessToken == "" && v.RefreshToken == "" {
		return "accessToken", "an OAuth token secret needs an access token or a refresh token"
	}
	if msg := controlInHTTPValue(v.AccessToken); msg != "" {
		return "accessToken", msg
	}
	if msg := controlInHTTPValue(v.RefreshToken); msg != "" {
		return "refreshToken", msg
	}
	if v.Expires != "" {
		if _, err := ParseExpiry(v.Expires); err != nil {
			return "expires", err.Error()
		}
	}
	return "", ""
}

func checkSessionAuthValue(v SecretValue) (field, msg string) {
	if len(v.InputFields) == 0 {
		return "inputFields", "are required for SESSION_AUTH"
	}
	return "", ""
}

func checkPrivateKeyValue(v SecretValue) (field, msg string) {
	if _, err := ParsePrivateKey(v.PrivateKey); err != nil {
		return "privateKey", err.Error()
	}
	return "", ""
}

func checkClientCertValue(v SecretValue) (field, msg string) {
	if _, err := tls.X509KeyPair([]byte(v.Cert), []byte(v.PrivateKey)); err != nil {
		return "cert", "certificate and key do not form a pair: " + err.Error()
	}
	return "", ""
}

func checkOAuth1TokenValue(v SecretValue) (field, msg string) {
	if v.Token == "" {
		return "token", "is required"
	}
	return "", ""
}
