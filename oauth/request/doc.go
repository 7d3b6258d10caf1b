// Package request sends an HTTP request with a credential of the workspace
// applied — an API key, HTTP basic, an OAuth token set or an auth client's
// token (fetched or refreshed on demand), a session-auth token, a client
// certificate, OAuth 1.0a token credentials (each request signed: the
// Authorization header, the query or the form body, per the placement) —
// and describes the response: status, headers, sizes, timing phases, and a
// body model that stays fast on bodies of any size.
//
// Sending enforces the credential's allowedHosts before anything leaves the
// process (S-34), never forwards a credential on a redirect to another host
// (an OAuth 1.0a request is signed anew for a redirect on the same origin),
// refreshes an OAuth token once on `401 invalid_token` and reports the scope a
// `403 insufficient_scope` asks for (S-19). Every request is also rendered
// with credentials and secret variables masked, for display, history and
// copy-as-curl (S-33).
//
// The body model (Body, Pretty) keeps the bytes plus a line index and renders
// only the lines asked for, so a viewer can show the first screen of a 10 MB
// response in milliseconds while pretty-printing runs elsewhere.
package request
