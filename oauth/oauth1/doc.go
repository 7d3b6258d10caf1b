// Package oauth1 is authdeck's OAuth 1.0a (RFC 5849) client: request
// signing (HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256, PLAINTEXT) with the
// protocol parameters in the Authorization header, the query or a form body;
// the three-legged flow (temporary credentials, the resource owner's
// authorization in the system browser with a loopback or out-of-band
// callback, token credentials); and Engine.Authorize, which runs the flow for
// an auth client of the vault and stores the token credentials as an
// OA1_TOKEN secret only when every leg succeeded (S-37).
//
// Servers report failures with the OAuth Problem Reporting extension
// (oauth_problem=signature_invalid, …); they become an *Error that says in
// plain words what went wrong and matches the sentinel of its kind.
//
// Domain code never prints: the flow talks to the user through Callbacks
// (show the authorization URL, open the browser, ask for an out-of-band
// verifier), and records each leg, secrets redacted, through a Recorder.
//
// The package also exports what a server needs to check a signed request
// (ParseRequest, Verify), which the loopback provider in oauth/playground/oauth1provider uses.
package oauth1
