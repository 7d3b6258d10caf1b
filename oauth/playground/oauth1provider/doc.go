// Package oauth1provider is the playground's OAuth 1.0a provider (RFC
// 5849), run on loopback by `authdeck demo` and by the tests: a
// temporary-credentials endpoint, an authorization page where the demo user
// (demo / demo) approves or denies, a token-credentials endpoint, and a
// protected resource, /photos, that answers only correctly signed requests.
//
// It verifies every signature method (HMAC-SHA1, HMAC-SHA256, RSA-SHA1 and
// RSA-SHA256 against the consumer's registered public key, PLAINTEXT),
// refuses reused nonces and timestamps outside its window, expires
// temporary credentials, and reports failures with the OAuth Problem
// Reporting extension (oauth_problem=signature_invalid, …).
//
// Browser drives the authorization page with a plain http.Client, so tests
// need no real browser. Everything listens on 127.0.0.1 only; Close stops
// the server and waits for its goroutines.
package oauth1provider
