package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/vault"
)

// checkProofFlags checks --dpop-proof, --dpop-nonce and --subject-token-stdin
// against each other and the format, before anything is read or sent.
func checkProofFlags(o *tokenOptions) error {
	if o.dpopNonce != "" && o.dpopProof == "" {
		return exitWith(exitOther, "--dpop-nonce goes with --dpop-proof METHOD URL")
	}
	if o.dpopProof == "" {
		return nil
	}
	if o.format == "bare" {
		return exitWith(exitOther, "--dpop-proof needs -f header (both headers) or -f json (dpop_proof)")
	}
	if !httpToken(o.dpopProof) {
		return exitWith(exitOther, "--dpop-proof %q: the method is not an HTTP method name", o.dpopProof)
	}
	u, err := url.Parse(o.proofURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return exitWith(exitOther, "--dpop-proof %s %q: the URL is not an absolute http or https URL", o.dpopProof, o.proofURL)
	}
	if o.dpopNonce != "" && (len(o.dpopNonce) > 1024 || strings.ContainsAny(o.dpopNonce, " \t\r\n\"")) {
		return exitWith(exitOther, "--dpop-nonce: not a nonce a server sends (no spaces or quotes, at most 1024 characters)")
	}
	return nil
}

// httpToken reports whether s is an HTTP method name (an RFC 9110 token).
func httpToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// checkDPoPClient refuses, before any flow runs, what cannot work with the
// auth client's DPoP setting: a header without its proof for a DPoP client
// (the server would refuse it), a proof for a bearer client.
func checkDPoPClient(name string, cred *vault.Credential, o *tokenOptions) error {
	if cred.Protocol != vault.ProtocolOAuth2 || cred.Client == nil {
		if o.dpopProof != "" {
			return exitWith(exitOther, "--dpop-proof: %s has no OAuth 2.0 auth client that uses DPoP", name)
		}
		return nil
	}
	switch {
	case cred.Client.DPoP && o.format == "header" && o.dpopProof == "":
		return exitWith(exitMissingInput, "the tokens of %s are DPoP-bound: every request needs its own proof, so name the request: "+
			"authdeck token %s -f header --dpop-proof METHOD URL", name, name)
	case !cred.Client.DPoP && o.dpopProof != "":
		return exitWith(exitOther, "--dpop-proof: auth client %s does not use DPoP; its bearer token needs no proof", cred.Client.Name)
	}
	return nil
}

// dpopProof makes the proof of --dpop-proof METHOD URL for r, with the key
// r is bound to; "" without --dpop-proof. A result that is not DPoP-bound
// (a token set stored before the client turned DPoP on) is refused.
func (a *App) dpopProof(ctx context.Context, es *engines.Set, req oauth.TokenRequest, r *oauth.Result, name string, o *tokenOptions) (string, error) {
	bound := r.DPoPJKT != "" || strings.EqualFold(r.TokenType, "DPoP")
	switch {
	case o.dpopProof == "" && bound && o.format == "header":
		return "", exitWith(exitMissingInput, "the token of %s is DPoP-bound: name the request it is for: authdeck token %s -f header --dpop-proof METHOD URL", name, name)
	case o.dpopProof == "":
		return "", nil
	case !bound:
		return "", exitWith(exitOther, "--dpop-proof: the token of %s is a %s token, not DPoP-bound; get a bound one with: authdeck token %s --force", name, r.TokenType, name)
	}
	// The token just printed is in the vault: RequestAuth reuses it and
	// gives the prover of the key it is bound to (S-44).
	req.Force, req.SubjectToken, req.Transcript = false, "", nil
	auth, err := es.Engine.RequestAuth(ctx, req, oauth.FlowCallbacks{})
	if err != nil {
		return "", oauthFailure(err)
	}
	if auth.DPoP == nil || auth.Token != r.AccessToken {
		return "", exitWith(exitOther, "the token of %s changed while its proof was made; run the command again", name)
	}
	if o.dpopNonce != "" {
		auth.DPoP.SetNonce(o.proofURL, o.dpopNonce)
	}
	proof, err := auth.DPoP.Proof(o.dpopProof, o.proofURL)
	if err != nil {
		return "", fmt.Errorf("making the DPoP proof for %s %s: %w", o.dpopProof, o.proofURL, err)
	}
	return proof, nil
}

// readSubjectToken reads a token exchange's subject token: from stdin, or
// without echo when stdin is the terminal. It never comes from argv.
func (a *App) readSubjectToken() (string, error) {
	var tok string
	var err error
	if a.isTerminal() {
		tok, err = a.promptSecret("Subject token: ")
	} else {
		tok, err = a.readStdinSecret("the subject token")
	}
	if err != nil {
		return "", err
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", exitWith(exitMissingInput, "--subject-token-stdin: stdin holds no single token (empty, or more than one line)")
	}
	return tok, nil
}
