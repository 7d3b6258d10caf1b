package oauth1

import (
	"context"
	"fmt"
	"net/http"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// The Engine is the OAuth 1.0a oauth.Protocol: oauth.Dispatcher hands it
// the OAuth 1.0a credentials of a vault.
var _ oauth.Protocol = (*Engine)(nil)

// credential resolves req (unless it comes resolved) and checks that it is
// OAuth 1.0a.
func (e *Engine) credential(req oauth.TokenRequest, use vault.Use) (*vault.Credential, error) {
	if e.Vault == nil {
		return nil, &Error{Kind: KindNotConfigured, Op: "configuration", Reason: "the engine has no vault"}
	}
	cred := req.Credential
	if cred == nil {
		if req.Name == "" {
			return nil, &Error{Kind: KindMissingInput, Op: "configuration", Reason: "name an OAuth 1.0a auth client or token secret"}
		}
		cat, err := e.Vault.Load()
		if err != nil {
			return nil, err
		}
		if cred, err = vault.Resolve(cat, req.Env, req.Name, use); err != nil {
			return nil, resolveError(err)
		}
	}
	if cred.Protocol != vault.ProtocolOAuth1 {
		return nil, &Error{
			Kind: KindNotConfigured, Op: "configuration",
			Reason: fmt.Sprintf("%q is %s credentials, which the OAuth 1.0a engine does not run", cred.Name, cred.Protocol),
		}
	}
	return cred, nil
}

// Token returns the stored token credentials of req's OAuth 1.0a client or
// token secret, or, when there are none (or req.Force), runs the
// three-legged flow and stores them (Authorize). The token is the result's
// AccessToken, its shared secret TokenSecret. Scopes, prompts and grants are
// OAuth 2.0 notions and are refused.
func (e *Engine) Token(ctx context.Context, req oauth.TokenRequest, cb oauth.FlowCallbacks) (*oauth.Result, error) {
	switch {
	case len(req.Scopes) > 0:
		return nil, &Error{Kind: KindOther, Op: "configuration", Reason: "scopes do not apply to OAuth 1.0a; a provider's scope parameter goes on the auth client's token parameters"}
	case req.Prompt != "":
		return nil, &Error{Kind: KindOther, Op: "configuration", Reason: "the prompt is an OpenID parameter and does not apply to OAuth 1.0a"}
	case req.Grant != "":
		return nil, &Error{Kind: KindOther, Op: "configuration", Reason: "OAuth 1.0a has no grants to choose from"}
	}
	cred, err := e.credential(req, vault.ForToken)
	if err != nil {
		return nil, err
	}
	ac := cred.Client
	base := oauth.Result{Protocol: vault.ProtocolOAuth1, Env: cred.Env, Client: ac.Name, InsecureTLS: ac.InsecureSkipVerify}
	if cred.Secret != nil && !req.Force {
		val, err := e.Vault.SecretValue(ctx, *cred.Secret)
		if err != nil {
			return nil, vaultError("reading the token credentials", err)
		}
		if val.Token != "" {
			r := base
			r.AccessToken, r.TokenSecret, r.Secret, r.FromCache = val.Token, val.TokenSecret, cred.Secret.Name, true
			return &r, nil
		}
	}
	if !ac.HasOAuth1Flow() {
		if cred.Secret == nil || !req.Force {
			return nil, ErrNoTokenNoFlow(ac.Name)
		}
		return nil, ErrNoFlow(ac.Name)
	}
	areq := AuthorizeRequest{Env: cred.Env, Client: ac.Name, NoBrowser: req.NoBrowser}
	if cred.Secret != nil {
		areq.Secret = cred.Secret.Name
	}
	if req.Transcript != nil {
		areq.Record = req.Transcript
	}
	res, err := e.Authorize(ctx, areq, Callbacks{Progress: cb.Progress, AuthURL: cb.AuthURL, Verifier: cb.Verifier})
	if err != nil {
		return nil, err
	}
	r := base
	r.Env, r.Secret, r.AccessToken, r.TokenSecret = res.Env, res.Secret, res.Token, res.TokenSecret
	for _, p := range res.Extra {
		r.Extra = append(r.Extra, oauth.Field{Name: p.Name, Value: p.Value})
	}
	return &r, nil
}

// noTokenSet is the refusal of the OAuth 2.0 operations OAuth 1.0a lacks.
func (e *Engine) noTokenSet(req oauth.TokenRequest) error {
	cred, err := e.credential(req, vault.ForToken)
	if err != nil {
		return err
	}
	from, hint := "come from the three-legged flow", "authdeck token "+cred.Name+" runs the flow; "
	if cred.Client != nil && !cred.Client.HasOAuth1Flow() {
		from, hint = "were stored with its client, which has no flow", ""
	}
	what := fmt.Sprintf("secret %q holds OAuth 1.0a token credentials, which %s", cred.Name, from)
	if cred.NamedClient {
		what = fmt.Sprintf("auth client %q is an OAuth 1.0a client: its token credentials %s", cred.Name, from)
	}
	return &oauth.Error{
		Kind: oauth.KindNotConfigured, Op: "token",
		Reason: what + "; OAuth 2.0 refresh, introspection and revocation do not apply",
		Hint:   hint + "authdeck request … --auth " + cred.Name + " signs requests with it",
	}
}

// Refresh is refused: OAuth 1.0a token credentials have no refresh token;
// authorize again instead (Token with Force).
func (e *Engine) Refresh(_ context.Context, req oauth.TokenRequest, _ oauth.FlowCallbacks) (*oauth.Result, error) {
	return nil, e.noTokenSet(req)
}

// RevokeTokens is refused: OAuth 1.0a has no revocation endpoint.
func (e *Engine) RevokeTokens(_ context.Context, req oauth.TokenRequest, _ oauth.RevokeOptions) (*oauth.Revocation, error) {
	return nil, e.noTokenSet(req)
}

// Introspect is refused: OAuth 1.0a has no introspection endpoint.
func (e *Engine) Introspect(_ context.Context, req oauth.TokenRequest, _ oauth.TokenKind) (*oauth.Introspection, error) {
	return nil, e.noTokenSet(req)
}

// RequestAuth returns the signer of req's token credentials (Signer): each
// request is signed anew, so Force changes nothing.
func (e *Engine) RequestAuth(ctx context.Context, req oauth.TokenRequest, _ oauth.FlowCallbacks) (*oauth.RequestAuth, error) {
	cred, err := e.credential(req, vault.ForRequest)
	if err != nil {
		return nil, err
	}
	s, err := e.signerFor(ctx, cred)
	if err != nil {
		return nil, err
	}
	return &oauth.RequestAuth{Signer: s}, nil
}

// Apply signs req in place with the token credentials, the protocol
// parameters going where placement says, and returns those parameters
// (oauth.RequestSigner). s itself is not changed.
func (s *Signer) Apply(req *http.Request, placement vault.Placement) ([]oauth.Field, error) {
	cp := *s
	cp.Placement = placement
	signed, err := cp.SignRequest(req)
	if err != nil {
		return nil, err
	}
	out := make([]oauth.Field, len(signed.Protocol))
	for i, p := range signed.Protocol {
		out[i] = oauth.Field{Name: p.Name, Value: p.Value}
	}
	return out, nil
}

// Secrets are the shared secrets and the token, to scrub from whatever is
// shown of a signed request (oauth.RequestSigner).
func (s *Signer) Secrets() []string {
	var out []string
	for _, v := range []string{s.ConsumerSecret, s.TokenSecret, s.Token} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
