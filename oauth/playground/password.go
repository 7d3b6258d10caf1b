package playground

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The resource owner password credentials grant (RFC 6749 §4.3) is not
// implemented by zitadel's op: its token endpoint answers
// unsupported_grant_type. authdeck has to exercise the grant because legacy
// gateways still use it (API gateways among them), so this file adds it as a
// thin handler in front of op's token endpoint. It only handles
// grant_type=password, only for clients that opted in, and it mints tokens
// with op's own CreateAccessToken and CreateIDToken, so they are signed with
// the same key and have the same format as every other token. It is labelled
// legacy everywhere it is shown; RFC 9700 §2.4 says not to use it.

// passwordRequest is the token request of the password grant. Besides
// op.IDTokenRequest it has SetCurrentScopes, which makes op treat it like a
// refresh request and ask storage for access and refresh tokens together;
// storage then issues a refresh token only when offline_access was granted.
type passwordRequest struct {
	clientID string
	subject  string
	scopes   []string
	audience []string
	authTime time.Time
	offline  bool
}

var _ op.RefreshTokenRequest = (*passwordRequest)(nil)

func (r *passwordRequest) GetAMR() []string                 { return []string{"pwd"} }
func (r *passwordRequest) GetAudience() []string            { return r.audience }
func (r *passwordRequest) GetAuthTime() time.Time           { return r.authTime }
func (r *passwordRequest) GetClientID() string              { return r.clientID }
func (r *passwordRequest) GetScopes() []string              { return r.scopes }
func (r *passwordRequest) GetSubject() string               { return r.subject }
func (r *passwordRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }

// passwordGrant serves grant_type=password at the token endpoint and passes
// every other request on to op.
type passwordGrant struct {
	provider  *op.Provider
	st        *storage
	issuer    string
	tokenPath string
	next      http.Handler
}

func (p *passwordGrant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// ParseForm is idempotent, so op still sees the parsed form afterwards.
	if r.URL.Path == p.tokenPath && r.Method == http.MethodPost && r.ParseForm() == nil &&
		r.PostForm.Get("grant_type") == GrantPassword {
		p.serve(w, r)
		return
	}
	p.next.ServeHTTP(w, r)
}

func (p *passwordGrant) serve(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			op.WriteError(w, r, clientError(oidc.ErrInvalidClient().WithDescription("malformed basic credentials")), nil)
			return
		}
		if form.Get("client_secret") != "" || (form.Get("client_id") != "" && form.Get("client_id") != id) {
			op.WriteError(w, r, oidc.ErrInvalidRequest().WithDescription("client authentication must not use more than one method"), nil)
			return
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if form.Get("client_assertion") != "" {
		op.WriteError(w, r, clientError(oidc.ErrInvalidClient().WithDescription("the password grant takes client_secret_basic or client_secret_post")), nil)
		return
	}
	c, err := p.st.authenticateSecret(id, secret)
	if err == nil {
		err = checkMethod(c, basic, !basic && secret != "")
	}
	if err != nil {
		op.WriteError(w, r, clientError(err), nil)
		return
	}
	if !c.hasGrant(GrantPassword) {
		op.WriteError(w, r, oidc.ErrUnauthorizedClient().WithDescription("the password grant (legacy) is not enabled for this client"), nil)
		return
	}
	username, password := form.Get("username"), form.Get("password")
	if username == "" || password == "" {
		op.WriteError(w, r, oidc.ErrInvalidRequest().WithDescription("username and password are required"), nil)
		return
	}
	u, ok := p.st.checkUser(username, password)
	if !ok {
		op.WriteError(w, r, oidc.ErrInvalidGrant().WithDescription("wrong username or password"), nil)
		return
	}
	scopes := strings.Fields(form.Get("scope"))
	if len(scopes) == 0 {
		scopes, _ = machineScopes(c, nil)
	}
	for _, sc := range scopes {
		if !slices.Contains(c.info.Scopes, sc) {
			op.WriteError(w, r, oidc.ErrInvalidScope().WithDescription("scope %q is not allowed for this client", sc), nil)
			return
		}
	}
	req := &passwordRequest{
		clientID: c.info.ClientID,
		subject:  u.id,
		scopes:   scopes,
		audience: []string{c.info.ClientID, p.st.audience},
		authTime: time.Now(),
		offline:  slices.Contains(scopes, oidc.ScopeOfflineAccess) && c.hasGrant(GrantRefreshToken),
	}
	access, refresh, validity, err := op.CreateAccessToken(ctx, req, c.AccessTokenType(), p.provider, c, "")
	if err != nil {
		op.WriteError(w, r, err, nil)
		return
	}
	resp := &oidc.AccessTokenResponse{
		AccessToken:  access,
		RefreshToken: refresh,
		TokenType:    oidc.BearerToken,
		ExpiresIn:    uint64(validity.Seconds()),
		Scope:        scopes,
	}
	if slices.Contains(scopes, oidc.ScopeOpenID) {
		resp.IDToken, err = op.CreateIDToken(ctx, p.issuer, req, c.IDTokenLifetime(), access, "", p.st, c)
		if err != nil {
			op.WriteError(w, r, err, nil)
			return
		}
	}
	httphelper.MarshalJSON(w, resp)
}
