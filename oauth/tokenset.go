package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Naming: `authdeck token NAME` takes an auth client or a secret, as
// vault.Resolve (ForToken) says.
//
//   - An OAuth 2.0 auth client's token set is the OA2_AUTHORIZATION_CODE
//     secret linked to it: the secret of the same name when there is one,
//     else the only OAuth token secret linked to the client. The first token
//     creates a secret named after the client.
//   - A SESSION_AUTH auth client is resolved to the one SESSION_AUTH secret
//     that uses it; the token is cached in that secret.
//   - An OA2_AUTHORIZATION_CODE or SESSION_AUTH secret is used directly,
//     with the auth client it is linked to.

// target is a resolved TokenRequest.
type target struct {
	env    string
	name   string // as the user named it
	client *vault.AuthClient
	// secret is the existing token-set or session secret; nil before the first token.
	secret *vault.Secret
	// secretName is the name the token set is stored under.
	secretName string
	session    bool
}

// resolve finds the client and the token-set secret of req with the vault's
// resolver (see Naming above), or takes them from req.Credential.
func (e *Engine) resolve(req TokenRequest) (*target, error) {
	if e.Vault == nil {
		return nil, newError(KindNotConfigured, "token", "the engine has no vault", "", nil)
	}
	cred := req.Credential
	if cred == nil {
		if req.Name == "" {
			return nil, newError(KindMissingInput, "token", "name an auth client or a token secret", "", nil)
		}
		cat, err := e.Vault.Load()
		if err != nil {
			return nil, err
		}
		if cred, err = vault.Resolve(cat, req.Env, req.Name, vault.ForToken); err != nil {
			return nil, resolveError("token", err)
		}
	}
	switch cred.Protocol {
	case vault.ProtocolOAuth2, vault.ProtocolSessionAuth:
	default:
		return nil, newError(KindNotConfigured, "token", fmt.Sprintf("%q is %s credentials, which the OAuth 2.0 engine does not run", cred.Name, cred.Protocol), "", nil)
	}
	if cred.ClientErr != nil {
		// Resolved for a request, where a broken link waits until the client is needed: now.
		return nil, resolveError("token", cred.ClientErr)
	}
	name := req.Name
	if name == "" {
		name = cred.Name
	}
	return &target{
		env: cred.Env, name: name, client: cred.Client, secret: cred.Secret, secretName: cred.TokenSecret,
		session: cred.Protocol == vault.ProtocolSessionAuth,
	}, nil
}

// resolveError gives a refusal of the vault's resolver the engine's form
// (the step, the reason, what to do); a missing item stays a
// *vault.NotFoundError.
func resolveError(op string, err error) error {
	var re *vault.ResolveError
	var amb *vault.AmbiguousError
	switch {
	case errors.As(err, &re):
		return newError(KindNotConfigured, op, re.Reason, re.Hint, err)
	case errors.As(err, &amb):
		return newError(KindNotConfigured, op, amb.Error(), "", err)
	}
	return err
}

// readValue reads the stored value of t's secret (nil before the first token).
func (e *Engine) readValue(ctx context.Context, t *target) (*vault.SecretValue, error) {
	if t.secret == nil {
		return nil, nil
	}
	v, err := e.Vault.SecretValue(ctx, *t.secret)
	if err != nil {
		return nil, vaultError("reading the stored token", err)
	}
	// Metadata a crash left behind its value is put right; failing to
	// does not stop the token from being used.
	_ = e.Vault.HealTokenMeta(*t.secret, v)
	return &v, nil
}

// reload re-reads t's secret metadata and value (after taking the lock).
func (e *Engine) reload(ctx context.Context, t *target) (*vault.SecretValue, error) {
	if err := e.reloadSecret(t); err != nil {
		return nil, err
	}
	return e.readValue(ctx, t)
}

// reloadSecret re-reads t's secret metadata from the catalog alone.
func (e *Engine) reloadSecret(t *target) error {
	s, err := e.Vault.Secret(t.env, t.secretName)
	var nf *vault.NotFoundError
	switch {
	case errors.As(err, &nf) && nf.Kind == "secret":
		t.secret = nil
		return nil
	case err != nil:
		return err
	}
	t.secret = &s
	return nil
}

// cached returns the stored token as a Result when it is still good for
// scopes: not within the refresh skew of its expiry (an unknown expiry
// counts as good) and granted for every requested scope.
func (e *Engine) cached(t *target, val *vault.SecretValue, scopes []string) *Result {
	if val == nil || val.AccessToken == "" {
		return nil
	}
	now := e.now()
	var exp time.Time
	if val.Expires != "" {
		x, err := vault.ParseExpiry(val.Expires)
		if err != nil {
			return nil
		}
		exp = x
		var issued time.Time
		if t.secret != nil && t.secret.LastRefresh != nil {
			issued = *t.secret.LastRefresh
		}
		ac := vault.AuthClient{}
		if t.client != nil {
			ac = *t.client
		}
		if !now.Add(skewFor(ac, issued, exp)).Before(exp) {
			return nil
		}
	}
	if len(scopes) > 0 && val.Scope != "" && len(scopeDiff(scopes, splitScopes(val.Scope))) > 0 {
		return nil
	}
	if !storedTypeUsable(t, val) {
		return nil
	}
	r := &Result{
		AccessToken: val.AccessToken, TokenType: val.TokenType, RefreshToken: val.RefreshToken, IDToken: val.IDToken,
		Scope: val.Scope, RequestedScopes: scopes, Expiry: exp, FromCache: true,
		Env: t.env, Secret: t.secretName, DPoPJKT: val.DPoPJKT, IssuedTokenType: val.IssuedTokenType,
	}
	if r.TokenType == "" {
		r.TokenType = "Bearer"
	}
	if r.Scope == "" {
		r.Scope = strings.Join(scopes, " ")
	}
	if !exp.IsZero() {
		r.ExpiresIn = exp.Sub(now)
	}
	if t.client != nil {
		r.Client, r.Issuer = t.client.Name, t.client.Issuer
		r.Grant = string(t.client.Grant)
		r.Deprecated = t.client.Grant.Deprecated()
	}
	if t.session {
		r.Grant = GrantSessionAuth
	}
	r.setScopes()
	return r
}

// storedTypeUsable reports whether a stored token's type lets it be handed
// out: a bearer token; a DPoP-bound one only while the client still holds
// the key it is bound to (S-44); N_A (an exchanged token that is not an
// access token) for a token exchange client.
func storedTypeUsable(t *target, val *vault.SecretValue) bool {
	switch tt := val.TokenType; {
	case strings.EqualFold(tt, "DPoP") || val.DPoPJKT != "":
		return t.client != nil && t.client.DPoP && val.DPoPJKT != "" && val.DPoPJKT == t.client.DPoPKeyID
	case tt == "N_A":
		return t.client != nil && t.client.Grant == vault.GrantTokenExchange
	default:
		return CheckTokenType("token", tt) == nil
	}
}

// checkBoundRefresh refuses to refresh a DPoP-bound token set with any key
// but its own (S-44): the provider would refuse it, or bind the new tokens
// to another key.
func checkBoundRefresh(f *flow, val *vault.SecretValue) error {
	if val == nil || val.DPoPJKT == "" || val.RefreshToken == "" {
		return nil
	}
	have := "no DPoP key"
	switch {
	case f.dpop == nil:
	case f.dpop.Thumbprint() == val.DPoPJKT:
		return nil
	default:
		have = "key " + f.dpop.Thumbprint()
	}
	return newError(KindNotConfigured, "refresh",
		fmt.Sprintf("the stored tokens are bound to DPoP key %s and auth client %q has %s; a bound refresh token is only refreshed with its own key", val.DPoPJKT, f.ac.Name, have),
		"sign in again: authdeck token "+f.name+" --force", nil)
}

// Token returns a valid access token for req: the stored one while it is
// good, else a refresh (when there is a refresh token and not Force), else
// the client's grant. New tokens are stored in the vault before they are
// returned. Concurrent calls for one token set share one request, and other
// processes wait on LockDir (S-21).
func (e *Engine) Token(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error) {
	if e.Vault != nil {
		// A token call reads the store next (the stored token set, or the
		// client's credentials), so the keychain may connect meanwhile.
		e.Vault.Warm()
	}
	t, err := e.resolve(req)
	if err != nil {
		return nil, err
	}
	if err := t.overrideGrant(req.Grant); err != nil {
		return nil, err
	}
	scopes := e.scopesOf(t, req.Scopes)
	if !req.Force {
		val, err := e.readValue(ctx, t)
		if err != nil {
			return nil, err
		}
		if r := e.cached(t, val, scopes); r != nil {
			return r, nil
		}
	}
	if t.client == nil {
		return nil, newError(KindNotConfigured, "token", fmt.Sprintf("the token in secret %q is expired or unusable and the secret names no auth client to get a new one", t.secretName),
			"link the secret to an auth client, or store a fresh token", nil)
	}
	key := lockKey(t.env, t.secretName)
	flight := key
	if req.Force {
		// A forced request runs its own grant after any other one for this
		// token set; joining a flight whose caller just cancelled it (the TUI
		// cancels a flow and starts another) would return that cancellation.
		flight = fmt.Sprintf("%s-force-%d", key, e.forced.Add(1))
	}
	return e.exclusive(ctx, flight, key, func(ctx context.Context) (*Result, error) {
		return e.obtain(ctx, t, req, scopes, cb)
	})
}

// overrideGrant makes the request's grant, when it names one other than the
// auth client's, the one used; a deprecated grant only when the client
// enables those.
func (t *target) overrideGrant(grant vault.Grant) error {
	if grant == "" || t.client == nil || grant == t.client.Grant {
		return nil
	}
	if grant.Deprecated() && !t.client.AllowDeprecated {
		return newError(KindNotConfigured, "token", fmt.Sprintf("%s is a deprecated grant that auth client %q does not enable", grant, t.client.Name), "", nil)
	}
	c := *t.client
	c.Grant = grant
	t.client = &c
	return nil
}

// obtain runs inside the token set's lock: it reads the token set again,
// reuses a token another caller obtained meanwhile, or gets and stores a
// new one.
func (e *Engine) obtain(ctx context.Context, t *target, req TokenRequest, scopes []string, cb FlowCallbacks) (*Result, error) {
	var val *vault.SecretValue
	var err error
	if req.Force && !t.session {
		// A forced grant uses nothing of the stored token set, so only
		// its catalog entry is read again: the store is asked for the
		// client's credentials and the write, nothing more.
		err = e.reloadSecret(t)
	} else {
		val, err = e.reload(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	if !req.Force {
		if r := e.cached(t, val, scopes); r != nil {
			req.Transcript.note("token", "reused the token another caller obtained meanwhile")
			return r, nil
		}
	}
	f, err := e.flowFor(ctx, t, req.Transcript, cb)
	if err != nil {
		return nil, err
	}
	r, err := e.newTokens(ctx, f, t, val, scopes, req)
	if err != nil {
		return nil, err
	}
	return e.store(ctx, t, r, val)
}

// newTokens gets new tokens: a session login, a refresh when there is a
// refresh token and the request is not forced, else the client's grant.
func (e *Engine) newTokens(ctx context.Context, f *flow, t *target, val *vault.SecretValue, scopes []string, req TokenRequest) (*Result, error) {
	switch {
	case t.session:
		if val == nil {
			return nil, newError(KindMissingInput, "session auth", fmt.Sprintf("secret %q has no input fields", t.secretName), "", nil)
		}
		return f.sessionAuth(ctx, val.InputFields)
	case !req.Force && val != nil && val.RefreshToken != "":
		if err := checkBoundRefresh(f, val); err != nil {
			return nil, err
		}
		r, err := f.refresh(ctx, val.RefreshToken, overrideScopes(req.Scopes), val.Scope)
		if r != nil && len(scopes) > 0 {
			r.RequestedScopes = scopes
			r.setScopes()
		}
		return r, err
	default:
		return e.runGrant(ctx, f, t, scopes, req)
	}
}

// overrideScopes keeps a refresh at the original grant's scope unless the caller asked for others.
func overrideScopes(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return scopesFor(vault.AuthClient{}, s)
}

func (e *Engine) scopesOf(t *target, override []string) []string {
	if t.session {
		return nil
	}
	ac := vault.AuthClient{}
	if t.client != nil {
		ac = *t.client
	}
	return scopesFor(ac, override)
}

// flowFor loads the client's credentials and prepares a flow.
func (e *Engine) flowFor(ctx context.Context, t *target, tr *Transcript, cb FlowCallbacks) (*flow, error) {
	creds, err := e.Vault.ClientCredentials(ctx, *t.client)
	if err != nil {
		return nil, vaultError("reading the client credentials", err)
	}
	f, err := e.newFlow(ctx, *t.client, creds, tr, cb)
	if err != nil {
		return nil, err
	}
	f.name = t.name
	return f, nil
}

// runGrant runs the client's configured grant.
func (e *Engine) runGrant(ctx context.Context, f *flow, t *target, scopes []string, req TokenRequest) (*Result, error) {
	o := flowOptions{scopes: scopes, prompt: req.Prompt, noBrowser: req.NoBrowser}
	switch f.ac.Grant {
	case vault.GrantPassword:
		user, pass, err := e.ownerCredentials(ctx, t)
		if err != nil {
			return nil, err
		}
		return f.password(ctx, scopes, user, pass)
	case vault.GrantTokenExchange:
		in, err := e.exchangeInput(ctx, f, t, req)
		if err != nil {
			return nil, err
		}
		return f.tokenExchange(ctx, in, scopes)
	default:
		// every other grant runs without owner credentials
	}
	return f.run(ctx, o, "", "")
}

// run dispatches on the client's grant (not session auth, not refresh).
func (f *flow) run(ctx context.Context, o flowOptions, user, pass string) (*Result, error) {
	switch f.ac.Grant {
	case vault.GrantClientCredentials:
		return f.clientCredentials(ctx, o.scopes)
	case vault.GrantAuthorizationCode:
		return f.authorizationCode(ctx, o)
	case vault.GrantDeviceCode:
		return f.device(ctx, o)
	case vault.GrantPassword:
		return f.password(ctx, o.scopes, user, pass)
	case vault.GrantImplicit:
		return f.implicit(ctx, o)
	case "":
		return nil, newError(KindNotConfigured, "token", fmt.Sprintf("auth client %q has no grant", f.ac.Name), "set one (--grant)", nil)
	case vault.GrantTokenExchange:
		if o.exchange == nil {
			return nil, newError(KindMissingInput, "token exchange", "there is no subject token to exchange", "", nil)
		}
		return f.tokenExchange(ctx, *o.exchange, o.scopes)
	case vault.GrantRefreshToken:
		// not a grant a client is configured with; refused below
	}
	return nil, newError(KindNotConfigured, "token", fmt.Sprintf("auth client %q has an unsupported grant %q", f.ac.Name, f.ac.Grant), "", nil)
}

// ownerCredentials reads the resource owner's username and password from the
// SIMPLE secret linked to the client, if there is exactly one.
func (e *Engine) ownerCredentials(ctx context.Context, t *target) (string, string, error) {
	cat, err := e.Vault.Load()
	if err != nil {
		return "", "", err
	}
	var linked []vault.Secret
	for _, s := range cat.SecretsIn(t.env) {
		if s.Type == vault.TypeSimple && s.AuthClient == t.client.Name {
			linked = append(linked, s)
		}
	}
	if len(linked) != 1 {
		return "", "", nil
	}
	v, err := e.Vault.SecretValue(ctx, linked[0])
	if err != nil {
		return "", "", vaultError("reading the resource owner's credentials", err)
	}
	return v.Username, v.Passphrase, nil
}

// PersistTimeout bounds storing what a token endpoint answered, once it has
// answered: that write runs to its end even when the caller cancels (S-39).
const PersistTimeout = 30 * time.Second

// store writes r into t's token set before r is handed out (S-20) and
// fills in where it lives.
func (e *Engine) store(ctx context.Context, t *target, r *Result, prev *vault.SecretValue) (*Result, error) {
	now := e.now()
	expires := ""
	if !r.Expiry.IsZero() {
		expires = r.Expiry.UTC().Format(time.RFC3339)
	}
	var sec vault.Secret
	var val vault.SecretValue
	if t.session {
		sec = *t.secret
		val = *prev
		val.AccessToken, val.Expires, val.TokenType = r.AccessToken, expires, r.TokenType
	} else {
		if t.secret != nil {
			sec = *t.secret
		} else {
			sec = vault.Secret{Meta: vault.Meta{Name: t.secretName, Env: t.env}, Type: vault.TypeOAuthToken}
		}
		sec.AuthClient = t.client.Name
		val = vault.SecretValue{
			AuthClientID:    t.client.ID,
			AccessToken:     r.AccessToken,
			RefreshToken:    r.RefreshToken,
			IDToken:         r.IDToken,
			TokenType:       r.TokenType,
			Scope:           r.Scope,
			Expires:         expires,
			DPoPJKT:         r.DPoPJKT,
			IssuedTokenType: r.IssuedTokenType,
		}
	}
	sec.LastRefresh = &now
	// The server has answered (and may have rotated the refresh token):
	// keeping the answer no longer depends on the caller, whose cancelling
	// would otherwise lose the token set (S-39).
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PersistTimeout)
	defer cancel()
	saved, err := e.Vault.PutSecret(sctx, sec, &val)
	if err != nil {
		return nil, vaultError("storing the token", err)
	}
	t.secret = &saved
	r.Env, r.Secret = t.env, saved.Name
	if t.client != nil {
		r.Client, r.Issuer = t.client.Name, t.client.Issuer
		r.InsecureTLS = t.client.InsecureSkipVerify
	}
	return r, nil
}

// Refresh uses the stored refresh token now, whatever the access token's
// expiry (the TUI's refresh action). Without a refresh token it is
// KindMissingInput.
func (e *Engine) Refresh(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error) {
	t, err := e.resolve(req)
	if err != nil {
		return nil, err
	}
	if t.session || t.client == nil {
		return nil, newError(KindNotConfigured, "refresh", fmt.Sprintf("%q has no auth client that issues refresh tokens", req.Name), "", nil)
	}
	key := lockKey(t.env, t.secretName)
	return e.exclusive(ctx, key+"-refresh", key, func(ctx context.Context) (*Result, error) {
		val, err := e.reload(ctx, t)
		if err != nil {
			return nil, err
		}
		rt := ""
		if val != nil {
			rt = val.RefreshToken
		}
		f, err := e.flowFor(ctx, t, req.Transcript, cb)
		if err != nil {
			return nil, err
		}
		prevScope := ""
		if val != nil {
			prevScope = val.Scope
		}
		if err := checkBoundRefresh(f, val); err != nil {
			return nil, err
		}
		r, err := f.refresh(ctx, rt, overrideScopes(req.Scopes), prevScope)
		if err != nil {
			return nil, err
		}
		return e.store(ctx, t, r, val)
	})
}

// FetchRequest runs a grant outside the vault (e.g. to try an auth client
// in a wizard before saving it). Nothing is stored.
type FetchRequest struct {
	// Client and Credentials are the auth client to use.
	Client      vault.AuthClient
	Credentials vault.ClientCredentials
	// Scopes override the client's scopes.
	Scopes []string
	// NoBrowser and Prompt as in TokenRequest.
	NoBrowser bool
	Prompt    string
	// Username and Password are the resource owner's (password grant).
	Username, Password string
	// Inputs are the session-auth input fields (SESSION_AUTH clients).
	Inputs map[string]string
	// RefreshToken, when set, runs the refresh grant instead of the client's grant.
	RefreshToken string
	// Exchange is what a token_exchange client trades.
	Exchange *ExchangeInput
	// Transcript, when set, records every exchange.
	Transcript *Transcript
}

// Fetch runs req's grant once and returns the token without storing it.
func (e *Engine) Fetch(ctx context.Context, req FetchRequest, cb FlowCallbacks) (*Result, error) {
	f, err := e.newFlow(ctx, req.Client, req.Credentials, req.Transcript, cb)
	if err != nil {
		return nil, err
	}
	scopes := scopesFor(req.Client, req.Scopes)
	var r *Result
	switch {
	case req.Client.Type == vault.ClientSessionAuth:
		r, err = f.sessionAuth(ctx, req.Inputs)
	case req.RefreshToken != "":
		r, err = f.refresh(ctx, req.RefreshToken, overrideScopes(req.Scopes), strings.Join(scopes, " "))
	default:
		r, err = f.run(ctx, flowOptions{scopes: scopes, prompt: req.Prompt, noBrowser: req.NoBrowser, exchange: req.Exchange}, req.Username, req.Password)
	}
	if err != nil {
		return nil, err
	}
	r.Client, r.Issuer, r.InsecureTLS = req.Client.Name, req.Client.Issuer, req.Client.InsecureSkipVerify
	return r, nil
}

// RequestAuth returns a bearer token to send with req's credential: the
// stored one while it is good, else refreshed or newly obtained. With
// req.Force (a resource server answered 401 invalid_token) the stored token
// is not trusted: the refresh token is used now, and without one (client
// credentials, session auth) the grant runs anew. A token that is not a
// bearer token is refused.
func (e *Engine) RequestAuth(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*RequestAuth, error) {
	var r *Result
	var err error
	if req.Force {
		r, err = e.Refresh(ctx, req, cb)
		var oe *Error
		if err != nil && errors.As(err, &oe) && (oe.Kind == KindMissingInput || oe.Kind == KindNotConfigured) {
			r, err = e.Token(ctx, req, cb)
		}
	} else {
		r, err = e.Token(ctx, req, cb)
	}
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(r.TokenType, "DPoP") {
		return e.dpopAuth(ctx, req, r)
	}
	if tt := r.TokenType; tt != "" && !strings.EqualFold(tt, "bearer") {
		return nil, &Error{
			Kind: KindUnsupportedTokenType, Op: "request",
			Reason: fmt.Sprintf("unsupported token type %q (only bearer and DPoP-bound tokens can be sent)", sanitize(tt, 40)),
		}
	}
	return &RequestAuth{Token: r.AccessToken}, nil
}
