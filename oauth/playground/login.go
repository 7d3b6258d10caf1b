package playground

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const sessionLifetime = 8 * time.Hour

// session is a signed-in browser. Consents are remembered per session and
// client so that a second authorization can skip both login and consent.
type session struct {
	id       string
	userID   string
	username string
	authTime time.Time
	expires  time.Time
	consents map[string][]string // client id -> granted scopes
}

// sessions keeps browser sessions server-side; the cookie holds only a
// random id.
type sessions struct {
	cookie string
	key    []byte // HMAC key for CSRF tokens

	mu sync.Mutex
	m  map[string]*session
}

func newSessions(cookie string) *sessions {
	return &sessions{cookie: cookie, key: []byte(randomToken(32)), m: make(map[string]*session)}
}

// current returns a copy of the request's live session, or nil.
func (ss *sessions) current(r *http.Request) *session {
	c, err := r.Cookie(ss.cookie)
	if err != nil {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[c.Value]
	if !ok {
		return nil
	}
	if time.Now().After(s.expires) {
		delete(ss.m, c.Value)
		return nil
	}
	cp := *s
	cp.consents = nil
	return &cp
}

// create starts a new session for u (replacing any session of the request).
func (ss *sessions) create(w http.ResponseWriter, r *http.Request, u *user) *session {
	ss.destroy(w, r)
	now := time.Now()
	s := &session{
		id:       randomToken(24),
		userID:   u.id,
		username: u.username,
		authTime: now,
		expires:  now.Add(sessionLifetime),
		consents: make(map[string][]string),
	}
	ss.mu.Lock()
	for id, old := range ss.m {
		if now.After(old.expires) {
			delete(ss.m, id)
		}
	}
	ss.m[s.id] = s
	ss.mu.Unlock()
	// Not Secure: the playground serves plain http on loopback only, where
	// a Secure cookie would never come back.
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: plain-http loopback server; HttpOnly and SameSite are set
		Name: ss.cookie, Value: s.id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: s.expires,
	})
	cp := *s
	cp.consents = nil
	return &cp
}

// destroy ends the request's session, if any.
func (ss *sessions) destroy(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(ss.cookie)
	if err != nil {
		return
	}
	ss.mu.Lock()
	delete(ss.m, c.Value)
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: ss.cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode}) //nolint:gosec // G124: deletes the plain-http loopback session cookie
}

func (ss *sessions) grant(sessionID, clientID string, scopes []string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[sessionID]; ok {
		for _, sc := range scopes {
			if !slices.Contains(s.consents[clientID], sc) {
				s.consents[clientID] = append(s.consents[clientID], sc)
			}
		}
	}
}

func (ss *sessions) consented(sessionID, clientID string, scopes []string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[sessionID]
	if !ok {
		return false
	}
	for _, sc := range scopes {
		if !slices.Contains(s.consents[clientID], sc) {
			return false
		}
	}
	return true
}

// csrf derives a form token bound to the session and the form's purpose.
func (ss *sessions) csrf(sessionID, purpose string) string {
	m := hmac.New(sha256.New, ss.key)
	m.Write([]byte(sessionID + "\x00" + purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (ss *sessions) checkCSRF(sessionID, purpose, token string) bool {
	return hmac.Equal([]byte(ss.csrf(sessionID, purpose)), []byte(token))
}

// loginUI serves the login, consent and device verification pages. op only
// implements the protocol; it hands the browser to Client.LoginURL and expects
// the user to be sent to the authorization callback once signed in.
type loginUI struct {
	st          *storage
	ss          *sessions
	authorizer  op.Authorizer
	callbackURL func(context.Context, string) string
}

const (
	pathLogin   = "/login"
	pathConsent = "/consent"
	pathDevice  = "/device"
)

func (ui *loginUI) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+pathLogin, ui.loginPage)
	mux.HandleFunc("POST "+pathLogin, ui.loginSubmit)
	mux.HandleFunc("GET "+pathConsent, ui.consentPage)
	mux.HandleFunc("POST "+pathConsent, ui.consentSubmit)
	mux.HandleFunc(pathDevice, ui.device)
}

// pending loads a pending authorization request or answers with an error page.
func (ui *loginUI) pending(w http.ResponseWriter, r *http.Request) (*authRequest, *client, bool) {
	req, err := ui.st.authRequest(r.FormValue("authRequestID"))
	var c *client
	if err == nil && !req.done {
		c = ui.st.client(req.clientID)
	}
	if c == nil {
		renderResult(w, http.StatusBadRequest, "Sign-in request expired", "error",
			"This sign-in request is unknown, finished or expired. Start again from the application.")
		return nil, nil, false
	}
	return req, c, true
}

func clientName(c *client) string {
	if c.info.Name != "" {
		return c.info.Name
	}
	return c.info.ClientID
}

// needsLogin reports whether the session cannot be reused for req: prompt=login,
// max_age exceeded (op turns prompt=login into max_age=0) or another user hinted.
func needsLogin(req *authRequest, s *session) bool {
	if s == nil {
		return true
	}
	if req.hintSubject != "" && req.hintSubject != s.userID {
		return true
	}
	// Compared in seconds: a huge max_age must not overflow a Duration.
	if req.maxAge != nil && time.Since(s.authTime).Seconds() >= float64(*req.maxAge) {
		return true
	}
	return false
}

func (ui *loginUI) loginPage(w http.ResponseWriter, r *http.Request) {
	req, c, ok := ui.pending(w, r)
	if !ok {
		return
	}
	s := ui.ss.current(r)
	if slices.Contains(req.prompt, oidc.PromptNone) {
		switch {
		case needsLogin(req, s):
			ui.fail(w, r, req, oidc.ErrLoginRequired().WithDescription("the user is not signed in"))
		case !ui.ss.consented(s.id, c.info.ClientID, req.scopes):
			ui.fail(w, r, req, errConsentRequired())
		default:
			ui.complete(w, r, req, s)
		}
		return
	}
	if !needsLogin(req, s) {
		ui.afterLogin(w, r, req, c, s)
		return
	}
	ui.renderLogin(w, http.StatusOK, req, c, req.loginHint, "")
}

func (ui *loginUI) renderLogin(w http.ResponseWriter, status int, req *authRequest, c *client, username, errText string) {
	render(w, status, "login", loginView{
		Action:     pathLogin,
		Hidden:     []field{{"authRequestID", req.id}},
		ClientName: clientName(c),
		Username:   username,
		Error:      errText,
	})
}

func (ui *loginUI) loginSubmit(w http.ResponseWriter, r *http.Request) {
	req, c, ok := ui.pending(w, r)
	if !ok {
		return
	}
	username := r.PostFormValue("username")
	u, ok := ui.st.checkUser(username, r.PostFormValue("password"))
	if !ok {
		ui.renderLogin(w, http.StatusOK, req, c, username, "Wrong username or password.")
		return
	}
	ui.afterLogin(w, r, req, c, ui.ss.create(w, r, u))
}

// afterLogin asks for consent unless this session already granted the scopes
// and the client did not ask for prompt=consent.
func (ui *loginUI) afterLogin(w http.ResponseWriter, r *http.Request, req *authRequest, c *client, s *session) {
	if slices.Contains(req.prompt, oidc.PromptConsent) || !ui.ss.consented(s.id, c.info.ClientID, req.scopes) {
		http.Redirect(w, r, pathConsent+"?authRequestID="+url.QueryEscape(req.id), http.StatusSeeOther)
		return
	}
	ui.complete(w, r, req, s)
}

func (ui *loginUI) consentPage(w http.ResponseWriter, r *http.Request) {
	req, c, ok := ui.pending(w, r)
	if !ok {
		return
	}
	s := ui.ss.current(r)
	if s == nil {
		http.Redirect(w, r, pathLogin+"?authRequestID="+url.QueryEscape(req.id), http.StatusSeeOther)
		return
	}
	render(w, http.StatusOK, "consent", consentView{
		Action:     pathConsent,
		Hidden:     []field{{"authRequestID", req.id}, {"csrf", ui.ss.csrf(s.id, "auth:"+req.id)}},
		ClientName: clientName(c),
		ClientID:   c.info.ClientID,
		User:       s.username,
		Scopes:     scopeViews(req.scopes),
	})
}

func (ui *loginUI) consentSubmit(w http.ResponseWriter, r *http.Request) {
	req, c, ok := ui.pending(w, r)
	if !ok {
		return
	}
	s := ui.ss.current(r)
	if s == nil || !ui.ss.checkCSRF(s.id, "auth:"+req.id, r.PostFormValue("csrf")) {
		renderResult(w, http.StatusForbidden, "Consent not accepted", "error",
			"The consent form expired or came from another session. Start again from the application.")
		return
	}
	switch r.PostFormValue("action") {
	case "allow":
		ui.ss.grant(s.id, c.info.ClientID, req.scopes)
		ui.complete(w, r, req, s)
	case "deny":
		ui.fail(w, r, req, oidc.ErrAccessDenied().WithDescription("the user denied the request"))
	default:
		renderResult(w, http.StatusBadRequest, "Unknown answer", "error", "Choose Allow or Deny.")
	}
}

// errConsentRequired is OpenID Connect Core §3.1.2.6 consent_required,
// which oidc has no constructor for.
func errConsentRequired() *oidc.Error {
	return &oidc.Error{ErrorType: "consent_required", Description: "the user has not consented to these scopes"}
}

// complete marks the request as signed in and hands the browser back to op,
// which issues the code (or tokens) and redirects to the client.
func (ui *loginUI) complete(w http.ResponseWriter, r *http.Request, req *authRequest, s *session) {
	if err := ui.st.completeAuthRequest(req.id, s.userID, s.authTime); err != nil {
		renderResult(w, http.StatusBadRequest, "Sign-in request expired", "error",
			"This sign-in request is unknown, finished or expired. Start again from the application.")
		return
	}
	http.Redirect(w, r, ui.callbackURL(r.Context(), req.id), http.StatusFound)
}

// fail ends the request with an OAuth error redirect to the client, built by
// op so that state and the response mode are honoured.
func (ui *loginUI) fail(w http.ResponseWriter, r *http.Request, req *authRequest, e *oidc.Error) {
	ui.st.deleteAuthRequest(req.id)
	op.AuthRequestError(w, r, req, e, ui.authorizer)
}
