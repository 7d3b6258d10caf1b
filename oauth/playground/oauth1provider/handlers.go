package oauth1provider

import (
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(PathRequestToken, s.requestToken)
	mux.HandleFunc("GET "+PathAuthorize, s.authorizePage)
	mux.HandleFunc("POST "+PathAuthorize, s.authorizeSubmit)
	mux.HandleFunc(PathAccessToken, s.accessToken)
	mux.HandleFunc(PathPhotos, s.photos)
	return mux
}

// allow answers 405 unless the method is GET or POST (as API gateways do: the token
// endpoints take either).
func allow(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", "GET, POST")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// writeForm answers with an application/x-www-form-urlencoded body.
func writeForm(w http.ResponseWriter, status int, ps []oauth1.Param) {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(oauth1.Encode(p.Name) + "=" + oauth1.Encode(p.Value))
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail reports p in the body and in WWW-Authenticate (Problem Reporting).
func (s *Server) fail(w http.ResponseWriter, p *problem) {
	ps := []oauth1.Param{{Name: "oauth_problem", Value: p.code}}
	if p.advice != "" {
		ps = append(ps, oauth1.Param{Name: "oauth_problem_advice", Value: p.advice})
	}
	ps = append(ps, p.details...)
	if h, err := oauth1.AuthorizationHeader(s.cfg.Realm, []oauth1.Param{{Name: "oauth_problem", Value: p.code}}); err == nil {
		w.Header().Set("WWW-Authenticate", h)
	}
	writeForm(w, p.status, ps)
}

// requestToken issues temporary credentials (§2.1).
func (s *Server) requestToken(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r) {
		return
	}
	v, p := s.verify(w, r, noToken)
	if p != nil {
		s.fail(w, p)
		return
	}
	cb := v.in.Get("oauth_callback")
	switch {
	case cb == "":
		p := badRequest("parameter_absent", "oauth_callback is required (a URL, or oob)")
		p.details = []oauth1.Param{{Name: "oauth_parameters_absent", Value: "oauth_callback"}}
		s.fail(w, p)
		return
	case cb != oauth1.OOB:
		u, err := url.Parse(cb)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			s.fail(w, badRequest("parameter_rejected", "oauth_callback must be oob or an absolute http(s) URL without a fragment"))
			return
		}
	}
	tok, t, err := s.st.newTemp(v.consumer.Key, cb)
	if err != nil {
		s.fail(w, &problem{status: http.StatusServiceUnavailable, code: "consumer_key_refused", advice: err.Error()})
		return
	}
	writeForm(w, http.StatusOK, []oauth1.Param{
		{Name: "oauth_token", Value: tok},
		{Name: "oauth_token_secret", Value: t.secret},
		{Name: "oauth_callback_confirmed", Value: "true"},
	})
}

// accessToken exchanges authorized temporary credentials and the verifier
// for token credentials (§2.3). The temporary credentials work once; a
// wrong verifier spends them too, so verifiers cannot be guessed.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r) {
		return
	}
	v, p := s.verify(w, r, tempTok)
	if p != nil {
		s.fail(w, p)
		return
	}
	verifier := v.in.Get("oauth_verifier")
	if verifier == "" {
		p := badRequest("parameter_absent", "oauth_verifier is required")
		p.details = []oauth1.Param{{Name: "oauth_parameters_absent", Value: "oauth_verifier"}}
		s.fail(w, p)
		return
	}
	st := s.st
	st.mu.Lock()
	t, ok := st.temps[v.tempKey]
	switch {
	case !ok || t.used:
		st.mu.Unlock()
		s.fail(w, rejected("token_used", "these temporary credentials were already exchanged"))
		return
	case !t.authorized:
		st.mu.Unlock()
		s.fail(w, rejected("permission_unknown", "the resource owner has not approved these temporary credentials"))
		return
	}
	t.used = true
	if subtle.ConstantTimeCompare([]byte(verifier), []byte(t.verifier)) != 1 {
		st.mu.Unlock()
		s.fail(w, rejected("verifier_invalid", "the verifier does not belong to these temporary credentials; they are now spent"))
		return
	}
	tok, secret := randomToken(16), randomToken(24)
	st.tokens[tok] = &accessToken{consumer: v.consumer.Key, secret: secret, user: t.user}
	user := t.user
	st.mu.Unlock()
	writeForm(w, http.StatusOK, []oauth1.Param{
		{Name: "oauth_token", Value: tok},
		{Name: "oauth_token_secret", Value: secret},
		{Name: "user_id", Value: "1"},
		{Name: "screen_name", Value: user},
	})
}

// photos is the protected resource: it answers only requests signed with
// token credentials, and says what it saw.
func (s *Server) photos(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r) {
		return
	}
	v, p := s.verify(w, r, accessTok)
	if p != nil {
		s.fail(w, p)
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		// ParseRequest put the form body back; its fields count too.
		_ = r.ParseForm()
		q = r.Form
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"user":      v.access.user,
		"consumer":  v.consumer.Key,
		"method":    v.in.Get("oauth_signature_method"),
		"placement": string(v.in.Placement),
		"file":      q.Get("file"),
		"size":      q.Get("size"),
	})
}

// ---- the authorization page ----

// pageTmpl is parsed when first served: every authdeck process links the
// provider, few serve a page.
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32em;margin:3em auto;color:#222}label{display:block;margin:.6em 0}</style></head>
<body><h1>{{.Title}}</h1>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
{{if .Form}}<p><strong>{{.Consumer}}</strong> asks for access to your photos.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="oauth_token" value="{{.Token}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label>Username <input name="username" autocomplete="username" value="{{.Username}}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>{{end}}
{{if .Verifier}}<p>Enter this verifier in authdeck:</p><p><code id="verifier">{{.Verifier}}</code></p>{{end}}
{{if .Message}}<p id="result" data-result="{{.Result}}">{{.Message}}</p>{{end}}
</body></html>`))
})

type pageData struct {
	Title, Error, Consumer, Action, Token, CSRF, Username, Verifier, Message, Result string
	Form                                                                             bool
}

func render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = pageTmpl().Execute(w, d)
}

// pending returns the temporary credentials named in the request when
// they can still be authorized; otherwise it has answered with a page.
func (s *Server) pending(w http.ResponseWriter, token string) (*tempToken, *Consumer, bool) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.temps[token]
	switch {
	case token == "" || !ok:
		render(w, http.StatusBadRequest, pageData{Title: "Unknown request", Message: "This authorization request is unknown. Start again from the application.", Result: "unknown"})
		return nil, nil, false
	case t.used || t.authorized:
		render(w, http.StatusBadRequest, pageData{Title: "Already answered", Message: "This authorization request was already answered.", Result: "used"})
		return nil, nil, false
	case s.cfg.Now().After(t.expires):
		render(w, http.StatusBadRequest, pageData{Title: "Request expired", Message: "This authorization request expired. Start again from the application.", Result: "expired"})
		return nil, nil, false
	}
	cp := *t
	c := *st.consumers[t.consumer]
	return &cp, &c, true
}

func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("oauth_token")
	t, c, ok := s.pending(w, token)
	if !ok {
		return
	}
	render(w, http.StatusOK, pageData{Title: "Authorize " + c.Name, Form: true, Consumer: c.Name, Action: PathAuthorize, Token: token, CSRF: t.csrf})
}

func (s *Server) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		render(w, http.StatusBadRequest, pageData{Title: "Bad request", Message: "The form could not be read.", Result: "error"})
		return
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && o != s.URL {
		render(w, http.StatusForbidden, pageData{Title: "Refused", Message: "This form can only be sent from this site.", Result: "error"})
		return
	}
	token := r.PostForm.Get("oauth_token")
	t, c, ok := s.pending(w, token)
	if !ok {
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(t.csrf)) != 1 {
		render(w, http.StatusForbidden, pageData{Title: "Refused", Message: "The form is stale or was not sent from this page. Reload it.", Result: "error"})
		return
	}
	user := r.PostForm.Get("username")
	again := pageData{Title: "Authorize " + c.Name, Form: true, Consumer: c.Name, Action: PathAuthorize, Token: token, CSRF: t.csrf, Username: user}
	deny := r.PostForm.Get("action") == "deny"
	if !deny {
		if subtle.ConstantTimeCompare([]byte(user), []byte(DemoUser)) != 1 ||
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("password")), []byte(DemoPassword)) != 1 {
			again.Error = "Wrong username or password."
			render(w, http.StatusUnauthorized, again)
			return
		}
	}
	st := s.st
	st.mu.Lock()
	live, ok := st.temps[token]
	if !ok || live.used || live.authorized {
		st.mu.Unlock()
		render(w, http.StatusBadRequest, pageData{Title: "Already answered", Message: "This authorization request was already answered.", Result: "used"})
		return
	}
	var verifier string
	if deny {
		// A refusal spends the temporary credentials.
		live.used = true
	} else {
		live.authorized, live.user, live.verifier = true, user, randomToken(16)
		verifier = live.verifier
	}
	callback := live.callback
	st.mu.Unlock()

	if callback == oauth1.OOB {
		if deny {
			render(w, http.StatusOK, pageData{Title: "Access denied", Message: "You denied access. You can close this page.", Result: "denied"})
			return
		}
		render(w, http.StatusOK, pageData{Title: "Access approved", Verifier: verifier, Message: "Return to the application and enter the verifier.", Result: "approved"})
		return
	}
	ps := []oauth1.Param{{Name: "oauth_token", Value: token}}
	if deny {
		ps = append(ps, oauth1.Param{Name: "denied", Value: token})
	} else {
		ps = append(ps, oauth1.Param{Name: "oauth_verifier", Value: verifier})
	}
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(oauth1.Encode(p.Name) + "=" + oauth1.Encode(p.Value))
	}
	sep := "?"
	if strings.Contains(callback, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, callback+sep+b.String(), http.StatusFound)
}
