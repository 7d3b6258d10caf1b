package playground

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
)

// The pages are deliberately plain HTML forms (inputs "username" and
// "password", buttons name="action" value="allow"/"deny", errors in
// id="error", outcomes in id="result") so that Browser, a plain http.Client
// and headless Chromium can all drive them.
// They are parsed when first served: every authdeck process links the
// playground (authdeck demo), few serve a page.
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("pages").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · authdeck playground</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d2230}
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;padding:.45rem;box-sizing:border-box;font-size:1rem}
button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem;font-size:1rem}
.error{color:#b00020}.muted{color:#667}code{background:#eef;padding:0 .2rem}
</style></head><body>
<p class="muted">authdeck playground — demo OpenID provider</p>
{{end}}

{{define "hidden"}}{{range .}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{end}}

{{define "login"}}{{template "head" "Sign in"}}
<h1>Sign in{{if .ClientName}} to continue to {{.ClientName}}{{end}}</h1>
{{if .Error}}<p id="error" class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{template "hidden" .Hidden}}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.Username}}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
<p class="muted">Demo user: <code>demo</code> / <code>demo</code></p>
</body></html>{{end}}

{{define "consent"}}{{template "head" "Consent"}}
<h1>{{.ClientName}} wants access</h1>
<p>Signed in as <strong>{{.User}}</strong>. The application <code>{{.ClientID}}</code> asks for:</p>
<ul id="scopes">{{range .Scopes}}<li><code>{{.Name}}</code> — {{.Text}}</li>{{else}}<li>basic access</li>{{end}}</ul>
<form method="post" action="{{.Action}}">
{{template "hidden" .Hidden}}
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
</body></html>{{end}}

{{define "usercode"}}{{template "head" "Connect a device"}}
<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
{{if .Error}}<p id="error" class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="step" value="code">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" value="{{.UserCode}}" autocomplete="off" autofocus>
<button type="submit">Continue</button>
</form>
</body></html>{{end}}

{{define "result"}}{{template "head" .Title}}
<h1>{{.Title}}</h1>
<p id="result" data-result="{{.Result}}">{{.Message}}</p>
</body></html>{{end}}
`))
})

// field is a hidden form field.
type field struct{ Name, Value string }

type loginView struct {
	Action     string
	Hidden     []field
	ClientName string
	Username   string
	Error      string
}

type scopeView struct{ Name, Text string }

type consentView struct {
	Action     string
	Hidden     []field
	ClientName string
	ClientID   string
	User       string
	Scopes     []scopeView
}

type userCodeView struct {
	Action   string
	UserCode string
	Error    string
}

type resultView struct {
	Title   string
	Message string
	Result  string
}

var scopeText = map[string]string{
	"openid":         "sign you in (OpenID Connect)",
	"profile":        "read your name and username",
	"email":          "read your email address",
	"offline_access": "stay signed in (refresh tokens)",
	ScopeAPIRead:     "read demo API data",
	ScopeAPIWrite:    "write demo API data",
}

func scopeViews(scopes []string) []scopeView {
	out := make([]scopeView, 0, len(scopes))
	for _, s := range scopes {
		text, ok := scopeText[s]
		if !ok {
			text = "access " + s
		}
		out = append(out, scopeView{Name: s, Text: text})
	}
	return out
}

// render writes a page with headers that keep it out of caches and frames.
func render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages().ExecuteTemplate(&buf, name, data); err != nil {
		slog.Error("playground: render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	// No form-action directive: browsers apply it to the redirect that
	// follows a form submission, and consent redirects to the client.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func renderResult(w http.ResponseWriter, status int, title, result, message string) {
	render(w, status, "result", resultView{Title: title, Result: result, Message: message})
}
