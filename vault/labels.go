package vault

// The human names of the enums below are for titles, details and status
// lines; the constants themselves stay the file formats' and the CLI
// flags' vocabulary.

// Label returns the protocol an auth client speaks, as people name it:
// "OAuth 2.0", "session auth", "OAuth 1.0a".
func (t ClientType) Label() string {
	switch t {
	case ClientOAuth2:
		return "OAuth 2.0"
	case ClientSessionAuth:
		return "session auth"
	case ClientOAuth1:
		return "OAuth 1.0a"
	}
	return string(t)
}

// Label returns the grant as people name it: "client credentials",
// "authorization code", "device code"…
func (g Grant) Label() string {
	switch g {
	case GrantClientCredentials:
		return "client credentials"
	case GrantAuthorizationCode:
		return "authorization code"
	case GrantDeviceCode:
		return "device code"
	case GrantPassword:
		return "password"
	case GrantImplicit:
		return "implicit"
	case GrantRefreshToken:
		return "refresh token"
	case GrantTokenExchange:
		return "token exchange"
	}
	return string(g)
}

// Label returns how a session-auth token request sends its fields.
func (t SessionAuthType) Label() string {
	switch t {
	case SessionFormAuth:
		return "form (application/x-www-form-urlencoded)"
	case SessionJSONAuth:
		return "JSON"
	}
	return string(t)
}
