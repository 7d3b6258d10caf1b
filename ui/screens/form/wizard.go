package form

import (
	"net"
	"net/url"
	"path"
	"slices"
	"strings"

	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// wizardSpec is the second step of the new auth client wizard: the issuer's
// metadata is known, so the grants, client authentication methods, signing
// algorithms and scopes offered are the ones the server supports.
type wizardSpec struct {
	*clientSpec
	md       *oauth.Metadata
	scopeSel []string
	extra    string
	// scopeField is the scope list, re-offered when the grant changes
	// whether openid makes sense.
	scopeField *huh.MultiSelect[string]
}

// NewFromDiscovery returns the wizard form for an issuer whose metadata was
// discovered; the endpoints come from the metadata.
func NewFromDiscovery(c *common.Common, env, issuer string, md *oauth.Metadata) *Model {
	cs := &clientSpec{env: env, typ: string(vault.ClientOAuth2), issuer: issuer, keySource: sourceES256, sessAuthType: string(vault.SessionFormAuth)}
	e := md.Endpoints()
	cs.authURL, cs.tokenURL, cs.deviceURL, cs.introURL, cs.revokeURL, cs.jwksURL = e.Authorization, e.Token, e.Device, e.Introspection, e.Revocation, e.JWKS
	cs.name = nameFromIssuer(issuer)
	w := &wizardSpec{clientSpec: cs, md: md}
	grants := w.grantOptions()
	cs.grant = grants[0].Value
	for _, g := range grants {
		if g.Value == string(vault.GrantAuthorizationCode) {
			cs.grant = g.Value
		}
	}
	cs.method = w.methodOptions()[0].Value
	if signsIn(vault.Grant(cs.grant)) && slices.Contains(md.ScopesSupported, "openid") {
		w.scopeSel = []string{"openid"}
	}
	return newModel(c, w)
}

// nameFromIssuer proposes a client name from the issuer: its host with dots
// as dashes ("login-example-com"), and for a loopback or IP host, whose
// address says nothing, "local" or "host" with the port and the last path
// segment ("local-9096-realm").
func nameFromIssuer(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if ip == nil && host != "localhost" {
		return strings.ReplaceAll(host, ".", "-")
	}
	parts := []string{"host"}
	if host == "localhost" || ip.IsLoopback() {
		parts[0] = "local"
	}
	if p := u.Port(); p != "" {
		parts = append(parts, p)
	}
	if seg := path.Base(strings.TrimRight(u.Path, "/")); seg != "." && seg != "/" && seg != "" {
		parts = append(parts, seg)
	}
	return strings.Join(parts, "-")
}

// signsIn is true for the grants where a person signs in, where an ID token
// (scope openid) can come back; a machine grant has no user to identify.
func signsIn(g vault.Grant) bool {
	switch g {
	case vault.GrantAuthorizationCode, vault.GrantImplicit, vault.GrantDeviceCode, vault.GrantPassword:
		return true
	default:
		return false
	}
}

// redirects is true for the grants that send the browser back to a
// redirect URI.
func redirects(g vault.Grant) bool {
	return g == vault.GrantAuthorizationCode || g == vault.GrantImplicit
}

// grantChosen keeps the scope list in step with the grant: openid is
// offered pre-checked only where a person signs in, and dropped from the
// selection for a machine grant.
func (w *wizardSpec) grantChosen(g vault.Grant) {
	has := slices.Contains(w.scopeSel, "openid")
	switch {
	case signsIn(g) && !has && slices.Contains(w.md.ScopesSupported, "openid"):
		w.scopeSel = append(w.scopeSel, "openid")
	case !signsIn(g) && has:
		w.scopeSel = slices.DeleteFunc(w.scopeSel, func(s string) bool { return s == "openid" })
	default:
		return
	}
	if w.scopeField != nil {
		w.scopeField.Options(w.scopeOptions()...)
	}
}

// scopeOptions offers the server's scopes, the selected ones checked.
func (w *wizardSpec) scopeOptions() []huh.Option[string] {
	var out []huh.Option[string]
	for _, sc := range w.md.ScopesSupported {
		out = append(out, huh.NewOption(sc, sc).Selected(slices.Contains(w.scopeSel, sc)))
	}
	return out
}

// review sums up what will be created, for the last page.
func (w *wizardSpec) review() string {
	s := w.clientSpec
	lines := []string{
		"name: " + s.name,
		"client ID: " + s.clientID,
		"grant: " + vault.Grant(s.grant).Label(),
	}
	if s.grant != string(vault.GrantImplicit) {
		lines = append(lines, "client authentication: "+s.method)
	}
	if scopes := append(slices.Clone(w.scopeSel), splitList(w.extra)...); len(scopes) > 0 {
		lines = append(lines, "scopes: "+strings.Join(scopes, " "))
	}
	if redirects(vault.Grant(s.grant)) {
		r := s.redirectURI
		if r == "" {
			r = "http://127.0.0.1:{port}/callback"
		}
		lines = append(lines, "redirect URI: "+r)
	}
	lines = append(lines, "token endpoint: "+s.tokenURL, "", "enter creates it in "+s.env+"; shift+tab goes back to change it")
	return noteEscape(strings.Join(lines, "\n"))
}

func (w *wizardSpec) title() string { return "New auth client from " + w.issuer }

func (w *wizardSpec) grantOptions() []huh.Option[string] {
	supported := map[string]bool{}
	for _, g := range w.md.GrantTypesSupported {
		switch g {
		case oauth.DeviceGrantType:
			g = string(vault.GrantDeviceCode)
		case oauth.TokenExchangeGrantType:
			g = string(vault.GrantTokenExchange)
		}
		supported[g] = true
	}
	var out []huh.Option[string]
	for _, g := range vault.Grants {
		if len(supported) > 0 && !supported[string(g)] {
			continue
		}
		label := g.Label()
		if g.Deprecated() {
			label += " (deprecated)"
		}
		out = append(out, huh.NewOption(label, string(g)))
	}
	if len(out) == 0 {
		for _, g := range vault.Grants {
			out = append(out, huh.NewOption(g.Label(), string(g)))
		}
	}
	return out
}

func (w *wizardSpec) methodOptions() []huh.Option[string] {
	var out []huh.Option[string]
	for _, m := range vault.AuthMethods {
		if len(w.md.TokenEndpointAuthMethodsSupported) > 0 && !slices.Contains(w.md.TokenEndpointAuthMethodsSupported, string(m)) {
			continue
		}
		out = append(out, huh.NewOption(string(m), string(m)))
	}
	if len(out) == 0 {
		for _, m := range vault.AuthMethods {
			out = append(out, huh.NewOption(string(m), string(m)))
		}
	}
	return out
}

func (w *wizardSpec) algOptions() []huh.Option[string] {
	out := []huh.Option[string]{}
	for _, alg := range []string{vault.AlgES256, vault.AlgRS256} {
		if len(w.md.TokenEndpointAuthSigningAlgsSupp) == 0 || slices.Contains(w.md.TokenEndpointAuthSigningAlgsSupp, alg) {
			label := "generate an EC P-256 key (ES256)"
			if alg == vault.AlgRS256 {
				label = "generate an RSA 2048 key (RS256)"
			}
			out = append(out, huh.NewOption(label, alg))
		}
	}
	return append(out, huh.NewOption("read a PEM file", sourceFile))
}

func (w *wizardSpec) groups(c *common.Common) []*huh.Group {
	s := w.clientSpec
	found := []string{"Discovered " + w.md.Source}
	for _, e := range []struct{ name, v string }{{"token", s.tokenURL}, {"authorization", s.authURL}, {"device", s.deviceURL}, {"introspection", s.introURL}, {"revocation", s.revokeURL}, {"jwks", s.jwksURL}} {
		if e.v != "" {
			found = append(found, "  "+e.name+": "+e.v)
		}
	}
	scopeOpts := w.scopeOptions()
	groups := []*huh.Group{
		huh.NewGroup(
			huh.NewNote().Title("Endpoints").Description(noteEscape(strings.Join(found, "\n"))),
			huh.NewInput().Key("name").Title("Name").Value(&s.name).Validate(func(v string) error {
				s.name = v
				if err := fieldError(s.check(), "name"); err != nil {
					return err
				}
				if c.Catalog != nil {
					if _, ok := c.Catalog.Client(s.env, v); ok {
						return &vault.ExistsError{Kind: "auth client", Name: v, Env: s.env}
					}
				}
				return nil
			}),
			huh.NewInput().Key("clientID").Title("Client ID").Description("as registered at the provider").Value(&s.clientID).
				Validate(s.validator(func(v string) { s.clientID = v }, "clientId")),
		).Title("1 · Client"),
		huh.NewGroup(
			huh.NewSelect[string]().Key("grant").Title("Grant").Description("the grants the server supports").Options(w.grantOptions()...).Value(&s.grant).
				Validate(func(v string) error {
					s.grant = v
					w.grantChosen(vault.Grant(v))
					return nil
				}),
		).Title("2 · Grant"),
		huh.NewGroup(
			huh.NewConfirm().Key("allowDeprecated").Title("Enable this deprecated grant?").
				Description("password and implicit are deprecated (OAuth 2.0 Security BCP); they only run when you enable them for this client").
				Value(&s.allowDeprecated).Validate(func(v bool) error {
				s.allowDeprecated = v
				return fieldError(s.check(), "grant")
			}),
		).Title("2 · Deprecated grant").WithHideFunc(func() bool { return !vault.Grant(s.grant).Deprecated() }),
		huh.NewGroup(
			huh.NewSelect[string]().Key("authMethod").Title("Client authentication").Description("what the server accepts at its token endpoint; never guessed").
				Options(w.methodOptions()...).Value(&s.method).Validate(func(v string) error {
				s.method = v
				return fieldError(s.check(), "authMethod")
			}),
		).Title("3 · Client authentication").WithHideFunc(func() bool { return s.grant == string(vault.GrantImplicit) }),
		huh.NewGroup(
			secretInput("secret", "Client secret", "issued by the provider; stored in the vault, shown masked", &s.secret),
		).Title("3 · Client secret").WithHideFunc(func() bool { return !vault.AuthMethod(s.method).UsesSecret() }),
		huh.NewGroup(
			huh.NewSelect[string]().Key("keySource").Title("Key pair").Description("a generated key stays in the vault; its public JWKS is shown after saving, to upload to the provider").
				Options(w.algOptions()...).Value(&s.keySource),
		).Title("3 · private_key_jwt").WithHideFunc(func() bool { return s.method != string(vault.AuthPrivateKeyJWT) }),
		huh.NewGroup(
			huh.NewInput().Key("keyPath").Title("Key file").Description("the private key, PEM").Value(&s.keyPath),
		).Title("3 · private_key_jwt key file").WithHideFunc(func() bool {
			return s.method != string(vault.AuthPrivateKeyJWT) || s.keySource != sourceFile
		}),
		huh.NewGroup(
			huh.NewInput().Key("certPath").Title("Certificate file").Value(&s.certPath),
			huh.NewInput().Key("certKeyPath").Title("Certificate key file").Value(&s.certKeyPath),
		).Title("3 · tls_client_auth").WithHideFunc(func() bool { return s.method != string(vault.AuthTLSClient) }),
	}
	scopeFields := []huh.Field{}
	if len(scopeOpts) > 0 {
		w.scopeField = huh.NewMultiSelect[string]().Key("scopes").Title("Scopes").Description("space toggles").Options(scopeOpts...).Value(&w.scopeSel).Height(min(12, len(scopeOpts)+2))
		scopeFields = append(scopeFields, w.scopeField)
	}
	scopeFields = append(scopeFields,
		huh.NewInput().Key("extraScopes").Title("Other scopes").Description("space separated, for scopes the server does not list").Value(&w.extra),
	)
	groups = append(groups, s.exchangeGroup(c))
	if len(w.md.DPoPSigningAlgs) > 0 {
		groups = append(groups, huh.NewGroup(
			huh.NewConfirm().Key("dpop").Title("Bind the tokens to a key with DPoP (RFC 9449)?").
				Description("the provider speaks DPoP; an ES256 key is generated into the vault").Value(&s.dpop),
		).Title("3 · DPoP").WithHideFunc(func() bool { return s.grant == string(vault.GrantImplicit) }))
	}
	groups = append(groups,
		huh.NewGroup(scopeFields...).Title("4 · Scopes"),
		huh.NewGroup(
			s.urlInput("redirectURI", "Redirect URI", "empty: http://127.0.0.1:{port}/callback (any free port)", &s.redirectURI, "redirectUri"),
		).Title("4 · Redirect").WithHideFunc(func() bool { return !redirects(vault.Grant(s.grant)) }),
		huh.NewGroup(
			huh.NewNote().Title("Create this auth client?").
				DescriptionFunc(w.review, []any{&s.name, &s.clientID, &s.grant, &s.method, &w.scopeSel, &w.extra, &s.redirectURI}).
				Next(true).NextLabel("Create"),
		).Title("5 · Review"),
	)
	return groups
}

func (w *wizardSpec) prepare(c *common.Common) (change, error) {
	w.scopes = strings.Join(append(slices.Clone(w.scopeSel), splitList(w.extra)...), " ")
	return w.clientSpec.prepare(c)
}

// noteEscape keeps huh's note markup (_ * ` \) from mangling URLs.
func noteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}
