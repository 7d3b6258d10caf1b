package browse

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/termsafe"
)

type vaultTime = time.Time

const labelWidth = 16

// detailWriter builds the detail pane line by line.
type detailWriter struct {
	s     *styles.Styles
	width int
	b     strings.Builder
}

func (w *detailWriter) line(s string) {
	w.b.WriteString(ansi.Truncate(s, w.width, "…"))
	w.b.WriteByte('\n')
}

func (w *detailWriter) blank() { w.b.WriteByte('\n') }

func (w *detailWriter) heading(s string) {
	w.blank()
	w.line(w.s.ListSection.Render(strings.ToUpper(s)))
}

// field writes "label  value"; empty values are skipped, and a value too
// long for the pane wraps onto the next lines rather than being cut, so
// every value can be read in full.
func (w *detailWriter) field(label, value string) {
	if value == "" {
		return
	}
	v := oneLine(value)
	avail := max(8, w.width-labelWidth)
	if ansi.StringWidth(v) <= avail {
		w.styled(label, w.s.DetailValue.Render(v))
		return
	}
	// Between words where it can, inside a long word (a URL) where not.
	for i, ln := range strings.Split(ansi.Wrap(v, avail, ""), "\n") {
		if i > 0 {
			label = ""
		}
		w.styled(label, w.s.DetailValue.Render(ln))
	}
}

func (w *detailWriter) styled(label, rendered string) {
	l := w.s.DetailLabel.Render(fmt.Sprintf("%-*s", labelWidth, ansi.Truncate(label, labelWidth-1, "…")))
	w.line(l + rendered)
}

// wrapped writes a long value (a revealed PEM or JWT) over several lines.
func (w *detailWriter) wrapped(label, value string, style func(...string) string) {
	avail := max(8, w.width-labelWidth)
	first := true
	for _, ln := range strings.Split(strings.TrimRight(value, "\n"), "\n") {
		for len(ln) > 0 || first {
			cut := ansi.Truncate(ln, avail, "")
			if cut == "" && ln != "" {
				cut = ln[:1]
			}
			lab := ""
			if first {
				lab = label
			}
			w.styled(lab, style(cut))
			ln = ln[len(cut):]
			first = false
			if ln == "" {
				break
			}
		}
	}
}

// oneLine turns line breaks and tabs into spaces and shows every other
// control character (C0 and C1) escaped, so imported names and descriptions
// cannot drive the terminal (S-40).
func oneLine(s string) string {
	return termsafe.Line(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}

func (m *Model) detailTitle() string {
	sel, ok := m.resolve()
	switch {
	case !ok:
		return "Detail"
	case sel.client != nil:
		return sel.client.Name
	case sel.secret != nil:
		return sel.secret.Name
	case sel.request != nil:
		return sel.request.Name
	case sel.variable != nil:
		return sel.variable.Name
	case sel.folder != nil:
		return sel.folder.Name
	}
	return "Detail"
}

func (m *Model) renderDetail() string {
	w := &detailWriter{s: m.c.Styles, width: m.detail.Width()}
	sel, ok := m.resolve()
	if !ok {
		if m.c.Catalog == nil {
			w.line(w.s.Muted.Render("Reading the catalog…"))
		} else {
			m.renderEnvSummary(w)
		}
		return strings.TrimRight(w.b.String(), "\n")
	}
	switch {
	case sel.client != nil:
		m.renderClient(w, *sel.client)
	case sel.secret != nil:
		m.renderSecret(w, *sel.secret)
	case sel.request != nil:
		renderRequest(w, *sel.request)
	case sel.variable != nil:
		m.renderVariable(w, sel.env, *sel.variable)
	case sel.folder != nil:
		renderFolder(w, w.s, sel.folder)
	}
	return strings.TrimRight(w.b.String(), "\n")
}

func (m *Model) renderEnvSummary(w *detailWriter) {
	e, ok := m.c.EnvInfo()
	if !ok {
		w.line(w.s.Warning.Render("The environment " + m.c.Env + " does not exist; press E to pick another."))
		return
	}
	w.field("environment", e.Name)
	w.field("tenant", e.Tenant)
	w.field("description", e.Description)
	cat := m.c.Catalog
	w.field("contents", fmt.Sprintf("%s, %s, %s", common.Plural(len(cat.ClientsIn(e.Name)), "auth client", "auth clients"),
		common.Plural(len(cat.SecretsIn(e.Name)), "secret", "secrets"), common.Plural(len(cat.RequestsIn(e.Name)), "request", "requests")))
	if n := len(m.team.missing); m.team.done && m.team.env == e.Name && n > 0 {
		w.styled("to set", w.s.Warning.Render(common.Plural(n, "value", "values")+" you still have to set (marked \""+notSetBadge+"\")"))
	}
	if len(e.Variables) > 0 {
		w.heading("variables")
		for _, v := range e.Variables {
			if v.Secret {
				w.styled(v.Name, w.s.Masked.Render("secret (kept in the vault)"))
			} else {
				w.field(v.Name, v.Value)
			}
		}
	}
}

func (m *Model) expiry(w *detailWriter, label string, exp *time.Time, never bool) {
	note, st := common.ExpiryNote(exp, m.c.Now(), never)
	if note == "" {
		return
	}
	style := w.s.DetailValue
	switch st {
	case vault.Expired:
		style = w.s.Error
	case vault.ExpiringSoon:
		style = w.s.Warning
	case vault.NoExpiry, vault.Valid:
		// the plain style
	}
	text := note
	if exp != nil {
		text = exp.Local().Format("2006-01-02 15:04") + "  " + note
	}
	w.styled(label, style.Render(text))
}

func (m *Model) renderClient(w *detailWriter, x vault.AuthClient) {
	s := w.s
	w.field("type", x.Type.Label())
	w.field("description", x.Description)
	if x.Type == vault.ClientSessionAuth && x.SessionAuth != nil {
		t := x.SessionAuth
		w.field("token url", t.URL)
		w.field("body", t.AuthType.Label())
		for _, f := range t.RequestFields {
			w.field("  "+f.Key, f.Value)
		}
		w.field("token path", t.TokenPath)
		w.field("expiry path", t.ExpirationPath)
	} else if x.Type == vault.ClientOAuth1 {
		renderOAuth1Client(w, x)
	} else {
		w.field("issuer", x.Issuer)
		w.field("client id", x.ClientID)
		grant := x.Grant.Label()
		if x.Grant.Deprecated() {
			w.styled("grant", s.Warning.Render(grant+" (deprecated, enabled for this client)"))
		} else {
			w.field("grant", grant)
		}
		w.field("auth method", string(x.AuthMethod))
		if x.AuthMethod == vault.AuthPrivateKeyJWT {
			alg := x.SigningAlg
			if alg == "" {
				alg = "from the key"
			}
			w.field("signing alg", alg)
			w.field("key id", x.KeyID)
		}
		w.field("scopes", strings.Join(x.Scopes, " "))
		w.field("audience", x.Audience)
		w.field("resource", x.Resource)
		w.field("redirect uri", x.RedirectURI)
		w.field("prompt", x.Prompt)
		if x.TokenMethod == "GET" {
			w.field("token method", "GET")
		}
		for _, p := range x.AuthParams {
			w.field("auth param", p.Key+"="+p.Value)
		}
		for _, p := range x.TokenParams {
			w.field("token param", p.Key+"="+p.Value)
		}
		if x.InsecureSkipVerify {
			w.styled("TLS", s.Error.Render("verification OFF for this client"))
		}
		w.heading("endpoints")
		if x.Issuer != "" && x.Endpoints == (vault.Endpoints{}) {
			w.line(s.Muted.Render("discovered from the issuer when a flow runs"))
		}
		w.field("authorization", x.Endpoints.Authorization)
		w.field("token", x.Endpoints.Token)
		w.field("device", x.Endpoints.Device)
		w.field("introspection", x.Endpoints.Introspection)
		w.field("revocation", x.Endpoints.Revocation)
		w.field("jwks", x.Endpoints.JWKS)
	}
	w.heading("credentials")
	u, unset := m.unset("auth client", x.Env, x.Name)
	switch {
	case unset:
		m.renderUnset(w, "credentials", u)
	case !x.HasSecret:
		w.line(s.Muted.Render("none stored (public client)"))
	case x.Type == vault.ClientOAuth1 && strings.HasPrefix(x.SignatureMethod, "RSA-"):
		m.valueFields(w, "private key")
	case x.Type == vault.ClientOAuth1:
		m.valueFields(w, "consumer secret")
	default:
		m.valueFields(w, clientSecretKind(x.AuthMethod))
	}
	m.expiry(w, "secret expires", x.SecretExpiration, false)
	m.renderSharing(w, x.Meta)
	m.meta(w, x.Meta, true)
	if m.c.Catalog != nil {
		var sets []string
		for i := range m.c.Catalog.Secrets {
			if sec := &m.c.Catalog.Secrets[i]; sec.Env == x.Env && sec.AuthClient == x.Name {
				sets = append(sets, sec.Name)
			}
		}
		if len(sets) > 0 {
			w.heading("token sets")
			for _, n := range sets {
				w.line(s.Text.Render(n))
			}
		}
	}
}

// renderOAuth1Client shows an OAuth 1.0a client's configuration; its RSA
// key appears as its key id only (S-26).
func renderOAuth1Client(w *detailWriter, x vault.AuthClient) {
	s := w.s
	w.field("consumer key", x.ClientID)
	w.field("signature", x.SignatureMethod)
	if strings.HasPrefix(x.SignatureMethod, "RSA-") {
		w.field("key id", x.KeyID)
	}
	switch x.Callback {
	case "":
		w.field("callback", "loopback (http://127.0.0.1:{port}/callback)")
	case "oob":
		w.field("callback", "oob (the verifier is typed in)")
	default:
		w.field("callback", x.Callback)
	}
	if x.TokenMethod == "GET" {
		w.field("token method", "GET")
	}
	for _, p := range x.AuthParams {
		w.field("auth param", p.Key+"="+p.Value)
	}
	for _, p := range x.TokenParams {
		w.field("token param", p.Key+"="+p.Value)
	}
	if x.InsecureSkipVerify {
		w.styled("TLS", s.Error.Render("verification OFF for this client"))
	}
	w.heading("endpoints")
	w.field("request token", x.Endpoints.RequestToken)
	w.field("authorization", x.Endpoints.Authorization)
	w.field("access token", x.Endpoints.Token)
}

func clientSecretKind(m vault.AuthMethod) string {
	switch m {
	case vault.AuthPrivateKeyJWT:
		return "private key"
	case vault.AuthTLSClient:
		return "client certificate"
	case vault.AuthClientSecretBasic, vault.AuthClientSecretPost, vault.AuthClientSecretJWT, vault.AuthNone:
		// a client secret, below
	}
	return "client secret"
}

// valueFields shows the stored value: revealed, masked (after a load), or a
// placeholder that reads nothing from the store.
func (m *Model) valueFields(w *detailWriter, kind string) {
	s := w.s
	switch {
	case m.revealed != nil:
		secret := false
		for _, f := range m.revealed.fields {
			if f.Secret {
				secret = true
				w.wrapped(f.Label, f.Value, s.Revealed.Render)
			} else {
				w.wrapped(f.Label, f.Value, s.DetailValue.Render)
			}
		}
		if secret {
			w.line(s.Warning.Render("revealed — press v to hide; hidden again when you move"))
		} else {
			// Only a private key's description was loaded: nothing is unmasked.
			w.line(s.Muted.Render("a private key is shown by its key id only (S-26) · v hides this"))
		}
	case m.masked != nil:
		for _, f := range m.masked {
			if f.Secret {
				w.styled(f.Label, s.Masked.Render(f.Value))
			} else {
				w.field(f.Label, f.Value)
			}
		}
	case m.loading != "":
		w.styled(kind, s.Muted.Render(m.loading))
	default:
		w.styled(kind, s.Masked.Render(mask.Dots)+s.Faint.Render("  stored in the "+m.c.BackendLabel()+" vault · v reveals"))
	}
}

// meta shows what every item carries. never says whether an item without
// an expiration is shown as "never expires": not for a token set, whose
// tokens' expiry is shown on its own line.
func (m *Model) meta(w *detailWriter, x vault.Meta, never bool) {
	label := "expires"
	if !never {
		label = "set expires"
	}
	m.expiry(w, label, x.Expiration, never)
	w.field("tenant", x.Tenant)
	if len(x.AllowedHosts) > 0 {
		w.field("allowed hosts", strings.Join(x.AllowedHosts, ", "))
	}
	if !x.Updated.IsZero() {
		w.field("updated", x.Updated.Local().Format("2006-01-02 15:04"))
	}
}

func (m *Model) renderSecret(w *detailWriter, x vault.Secret) {
	s := w.s
	typ := x.Type.Label()
	if m.c.Catalog != nil && x.AuthClient != "" {
		// A token set is labelled with how it was obtained: "OAuth 2.0
		// token set · client credentials".
		if ac, ok := m.c.Catalog.Client(x.Env, x.AuthClient); ok && ac.Type == vault.ClientOAuth2 && ac.Grant != "" {
			typ += " · " + ac.Grant.Label()
		}
	}
	w.field("type", typ)
	w.field("description", x.Description)
	w.field("auth client", x.AuthClient)
	switch x.Type {
	case vault.TypeAPIKey:
		switch {
		case x.QueryParam != "":
			w.styled("sent as", s.Warning.Render("query parameter "+x.QueryParam))
		case x.HeaderName != "":
			w.field("sent as", "header "+x.HeaderName)
		default:
			w.field("sent as", "header Authorization")
		}
	case vault.TypeOAuthToken, vault.TypeSessionAuth:
		w.field("scope", x.Scope)
		if x.TokenExpires != nil {
			st := s.DetailValue
			if !x.TokenExpires.After(m.c.Now()) {
				st = s.Warning
			}
			w.styled("token expires", st.Render(common.When(*x.TokenExpires, m.c.Now())))
		}
		if x.HasRefresh {
			w.field("refresh token", "present")
		} else {
			w.field("refresh token", "none")
		}
		if x.LastRefresh != nil {
			w.field("last refresh", common.When(*x.LastRefresh, m.c.Now()))
		}
	case vault.TypePrivateKey:
		w.field("key id", x.KeyID)
	case vault.TypeOAuth1Token:
		if x.LastRefresh != nil {
			w.field("authorized", common.When(*x.LastRefresh, m.c.Now()))
		}
		w.field("expires", "no expiry (until the provider revokes it)")
	case vault.TypeSimple, vault.TypeClientCert:
		// nothing beyond the stored value
	}
	switch x.Placement {
	case vault.PlaceBody, vault.PlaceQuery:
		w.styled("placement", s.Warning.Render(string(x.Placement)+" (less safe than a header)"))
	case vault.PlaceHeader, "":
		// the default placement needs no warning
	}
	if x.Generated {
		w.field("origin", "generated by authdeck")
	}
	w.heading("value")
	if u, unset := m.unset("secret", x.Env, x.Name); unset {
		m.renderUnset(w, primaryLabel(x.Type), u)
	} else {
		m.valueFields(w, primaryLabel(x.Type))
	}
	m.renderSharing(w, x.Meta)
	m.meta(w, x.Meta, !isTokenPane(x.Type))
}

func renderRequest(w *detailWriter, x vault.Request) {
	w.field("request", x.Method+" "+x.URL)
	w.field("folder", vault.FolderPath(x.Folder))
	w.field("description", x.Description)
	w.field("auth", x.Auth)
	if x.Placement != "" && x.Placement != vault.PlaceHeader {
		w.styled("placement", w.s.Warning.Render(string(x.Placement)))
	}
	if x.InsecureSkipVerify {
		w.styled("TLS", w.s.Error.Render("verification OFF for this request"))
	}
	if len(x.Headers) > 0 {
		w.heading("headers")
		for _, h := range x.Headers {
			w.field(h.Name, h.Value)
		}
	}
	if x.Body != "" {
		w.heading("body")
		for i, ln := range strings.Split(x.Body, "\n") {
			if i >= 12 {
				w.line(w.s.Faint.Render("…"))
				break
			}
			w.line(w.s.Code.Render(oneLine(ln)))
		}
	}
}

// renderVariable shows a variable: a plain one's value, or where a secret
// one's is kept and whether this person has set it.
func (m *Model) renderVariable(w *detailWriter, env string, x vault.Variable) {
	s := w.s
	w.field("use as", "{{"+x.Name+"}}")
	w.field("environment", env)
	if !x.Secret {
		w.field("kind", "plain (part of the environment)")
		w.field("value", x.Value)
		w.blank()
		w.line(s.Faint.Render("e edit · s make secret · d delete"))
		return
	}
	w.field("kind", "secret")
	if u, unset := m.unset("variable", env, x.Name); unset {
		m.renderUnset(w, "value", u)
		return
	}
	w.styled("value", s.Masked.Render(mask.Dots))
	w.field("kept in", "the "+m.c.BackendLabel()+" vault")
	w.blank()
	w.line(s.Faint.Render("enter set value · s make plain · d delete"))
}
