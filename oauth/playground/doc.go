// Package playground runs the authdeck demo: an OpenID provider built on the
// certified github.com/zitadel/oidc/v3 op package and a small protected demo API,
// both on loopback ports, with demo clients for every grant and client
// authentication method authdeck supports.
//
// It serves `authdeck demo` and the test suites of the oauth and ui packages:
// Start returns a Server describing the issuer, the API and the demo clients
// (secrets are generated fresh at every start), and Browser drives the
// provider's login and consent pages without a real browser.
//
// With Config.OAuth1 (package oauth1demo) it also runs an OAuth 1.0a
// provider with a demo consumer and a protected resource that answers only
// signed requests; Server.OAuth1 describes it.
//
// Everything listens on 127.0.0.1 only. Client secrets are generated
// server-side, returned once and stored as hashes only.
package playground
