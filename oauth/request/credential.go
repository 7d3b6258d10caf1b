package request

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// credential is a resolved Spec.Auth.
type credential struct {
	name string
	// resolved is what the vault's resolver says name means.
	resolved *vault.Credential
	kind     string // for messages: "API key", "basic credentials", "OAuth token", …
	secret   *vault.Secret
	client   *vault.AuthClient
	// token says the value comes from the TokenSource (and can be refreshed).
	token     bool
	placement vault.Placement
	// headerName and queryParam say where an API key goes.
	headerName string
	queryParam string
	// bearer: an API key "Bearer …" in Authorization follows the placement rules.
	bearer bool
	// allowed are the allowedHosts lists that must all match.
	allowed [][]string
	// needsCertOnly: a CLIENT_CERT secret is applied at the TLS layer only.
	certOnly bool
	// oauth1: OAuth 1.0a token credentials sign the request; oa1Client is
	// their auth client, when the catalog has it.
	oauth1    bool
	oa1Client *vault.AuthClient
	// dpopKey is the thumbprint (jkt) of the DPoP key of the auth client
	// the token comes from, when that client has DPoP on: a request shown
	// before its token is fetched shows the DPoP scheme and where the
	// proof goes, as it will be sent.
	dpopKey string
}

// values are a credential's secret parts, fetched at send time.
type values struct {
	key, username, password, token string
	cert                           *tls.Certificate
	// signer signs OAuth 1.0a requests.
	signer oauth.RequestSigner
	// prover makes the DPoP proof each request with a DPoP-bound token
	// needs (RFC 9449 §7); nil for a bearer token.
	prover oauth.Prover
	// masked marks stand-in values for display: HTTP basic shows as a mask,
	// not as base64 of one.
	masked bool
}

// MaskedValue stands for a credential or secret variable in displays (S-30).
func MaskedValue(v string) string {
	tail := ""
	if n := utf8.RuneCountInString(v); mask.TailLen(n) > 0 {
		r := []rune(v)
		tail = string(r[n-mask.TailLen(n):])
		for _, c := range tail {
			if c < ' ' || c == 0x7f {
				tail = ""
				break
			}
		}
	}
	return mask.Dots + tail
}

// resolveCredential resolves name with the vault's resolver and says how
// the sender applies it.
func resolveCredential(cat *vault.Catalog, env, name string, override vault.Placement) (*credential, error) {
	cred, err := vault.Resolve(cat, env, name, vault.ForRequest)
	if err != nil {
		return nil, err
	}
	c := &credential{name: name, resolved: cred}
	if sec := cred.Secret; sec != nil && !cred.NamedClient {
		c.secret = sec
		c.allowed = append(c.allowed, sec.AllowedHosts)
		c.placement = sec.Placement
		switch sec.Type {
		case vault.TypeAPIKey:
			c.kind = "API key"
			c.headerName = sec.HeaderName
			c.queryParam = sec.QueryParam
		case vault.TypeSimple:
			c.kind = "basic credentials"
		case vault.TypeOAuthToken:
			c.kind, c.token = "OAuth token", true
		case vault.TypeSessionAuth:
			c.kind, c.token = "session token", true
		case vault.TypeClientCert:
			c.kind, c.certOnly = "client certificate", true
		case vault.TypePrivateKey:
			return nil, &CredentialError{Credential: name, Msg: "a PRIVATE_KEY secret signs client assertions and cannot be applied to a request; use the auth client that holds it"}
		case vault.TypeOAuth1Token:
			c.kind = "OAuth 1.0a token"
			c.oauth1, c.oa1Client = true, cred.Client
		default:
			return nil, &CredentialError{Credential: name, Msg: fmt.Sprintf("secrets of type %s cannot be applied to a request", sec.Type)}
		}
		if cred.Client != nil {
			c.allowed = append(c.allowed, cred.Client.AllowedHosts)
		}
	} else if ac := cred.Client; cred.Protocol == vault.ProtocolOAuth1 {
		c.kind = "OAuth 1.0a token of auth client"
		c.allowed = append(c.allowed, ac.AllowedHosts)
		c.oauth1, c.oa1Client = true, ac
		if cred.Secret != nil {
			c.allowed = append(c.allowed, cred.Secret.AllowedHosts)
		}
	} else {
		c.client = ac
		c.kind, c.token = "token of auth client", true
		c.allowed = append(c.allowed, ac.AllowedHosts)
	}
	if ac := cred.Client; c.token && ac != nil && ac.DPoP {
		c.dpopKey = ac.DPoPKeyID
	}
	if override != "" {
		c.placement = override
	}
	if c.placement == "" {
		c.placement = vault.PlaceHeader
	}
	return c, nil
}

// hostAllowed checks every allowedHosts list of the credential (S-34).
func (c *credential) hostAllowed(hostport string) ([]string, bool) {
	for _, list := range c.allowed {
		if !vault.HostAllowed(list, hostport) {
			return list, false
		}
	}
	return nil, true
}

// describe is the Prepared.Credential text.
func (c *credential) describe(p vault.Placement, v values) string {
	switch {
	case c.oauth1:
		return c.describeOAuth1()
	case c.certOnly:
		return fmt.Sprintf("client certificate %q%s", c.name, certLabel(v.cert))
	case c.secret != nil && c.secret.Type == vault.TypeAPIKey && c.queryParam != "":
		return fmt.Sprintf("API key %q in query parameter %s", c.name, c.queryParam)
	case c.secret != nil && c.secret.Type == vault.TypeAPIKey && !c.bearer:
		return fmt.Sprintf("API key %q in header %s", c.name, c.apiKeyHeader(v))
	case c.secret != nil && c.secret.Type == vault.TypeSimple:
		return fmt.Sprintf("basic credentials %q (user %s)", c.name, v.username)
	}
	if c.dpopBound(v) {
		return fmt.Sprintf("DPoP-bound token %q in the Authorization header, with a proof signed by key %s", c.name, c.dpopKeyID(v))
	}
	where := map[vault.Placement]string{vault.PlaceHeader: "Authorization header", vault.PlaceBody: "form body (access_token)", vault.PlaceQuery: "URL query (access_token)"}[p]
	what := c.kind
	if c.bearer {
		what = "bearer token"
	}
	return fmt.Sprintf("%s %q in the %s", what, c.name, where)
}

func certLabel(cert *tls.Certificate) string {
	if cert == nil || len(cert.Certificate) == 0 {
		return ""
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%s, expires %s)", leaf.Subject.String(), leaf.NotAfter.UTC().Format("2006-01-02"))
}

// apiKeyHeader is where an API key goes: the secret's header name (from the
// catalog or, as in the reference format, from the stored value), else
// Authorization.
func (c *credential) apiKeyHeader(values) string {
	if c.headerName != "" {
		return c.headerName
	}
	return "Authorization"
}

// fetch reads the credential's secret parts: from the store, or from the
// engine (a token or a signer). force asks the engine for a fresh token.
func (s *Sender) fetch(ctx context.Context, env string, c *credential, force bool) (values, error) {
	switch {
	case c.oauth1:
		return s.fetchSigner(ctx, env, c)
	case c.token:
		return s.fetchToken(ctx, env, c, force)
	case c.secret != nil:
		return s.fetchStored(ctx, c)
	}
	return values{}, nil
}

// failed is a CredentialError about c, with no values.
func (c *credential) failed(msg string, err error) (values, error) {
	return values{}, &CredentialError{Credential: c.name, Msg: msg, Err: err}
}

// fetchSigner asks the engine for the signer of an OAuth 1.0a credential.
func (s *Sender) fetchSigner(ctx context.Context, env string, c *credential) (values, error) {
	if s.Engine == nil {
		return c.failed("no OAuth engine is available to sign with it", nil)
	}
	auth, err := s.Engine.RequestAuth(ctx, oauth.TokenRequest{Env: env, Name: c.name, Credential: c.resolved}, s.Callbacks)
	if err != nil {
		return c.failed("reading its OAuth 1.0a credentials", err)
	}
	if auth.Signer == nil {
		return c.failed("the engine gave no signer for its OAuth 1.0a credentials", nil)
	}
	return values{signer: auth.Signer}, nil
}

// fetchStored reads a stored secret's value: an API key (and the header it
// names), a username and password, or a client certificate.
func (s *Sender) fetchStored(ctx context.Context, c *credential) (values, error) {
	var v values
	sv, err := s.Vault.SecretValue(ctx, *c.secret)
	if err != nil {
		return c.failed("reading its value from the vault", err)
	}
	switch c.secret.Type {
	case vault.TypeAPIKey:
		if sv.Key == "" {
			return c.failed("the stored API key is empty", nil)
		}
		v.key = sv.Key
		if c.headerName == "" && sv.HeaderName != "" {
			c.headerName = sv.HeaderName
		}
	case vault.TypeSimple:
		if sv.Username == "" {
			return c.failed("the stored username is empty", nil)
		}
		v.username, v.password = sv.Username, sv.Passphrase
	case vault.TypeClientCert:
		cert, err := tls.X509KeyPair([]byte(sv.Cert), []byte(sv.PrivateKey))
		if err != nil {
			return c.failed("the stored certificate and key do not form a pair", err)
		}
		v.cert = &cert
	case vault.TypeOAuthToken, vault.TypeSessionAuth, vault.TypePrivateKey, vault.TypeOAuth1Token:
		// read by their engines, not here
	}
	return v, nil
}

// fetchToken asks the engine for a token (and its DPoP prover); a token
// bound to a client certificate comes with that certificate.
func (s *Sender) fetchToken(ctx context.Context, env string, c *credential, force bool) (values, error) {
	var v values
	if s.Engine == nil {
		return c.failed("no OAuth engine is available to fetch its token", nil)
	}
	auth, err := s.Engine.RequestAuth(ctx, oauth.TokenRequest{Env: env, Name: c.name, Force: force, NoBrowser: s.NoBrowser, Credential: c.resolved}, s.Callbacks)
	if err != nil {
		return c.failed("getting a token", err)
	}
	tok := auth.Token
	if strings.TrimSpace(tok) == "" {
		return c.failed("the token source returned an empty token", nil)
	}
	v.prover = auth.DPoP
	if strings.ContainsAny(tok, "\r\n") {
		return c.failed("the token contains a line break", nil)
	}
	v.token = tok
	if c.client != nil && c.client.AuthMethod == vault.AuthTLSClient && c.client.HasSecret {
		// certificate-bound tokens (RFC 8705) need the same certificate at the resource server
		creds, err := s.Vault.ClientCredentials(ctx, *c.client)
		if err != nil {
			return c.failed("reading the client certificate", err)
		}
		cert, err := tls.X509KeyPair([]byte(creds.Cert), []byte(creds.CertKey))
		if err != nil {
			return c.failed("the client certificate and key do not form a pair", err)
		}
		v.cert = &cert
	}
	return v, nil
}

// apply puts the credential's values into w. Masked values go into the
// display copy, real ones into the wire copy.
func (c *credential) apply(w *wire, v values) (vault.Placement, []string, error) {
	if c.certOnly {
		return "", nil, nil
	}
	if c.oauth1 {
		// Signing needs the whole request; build does it (buildOAuth1).
		return "", nil, &CredentialError{Credential: c.name, Msg: "OAuth 1.0a credentials sign the request and cannot be applied as a value"}
	}
	token := v.token
	if c.secret != nil && c.secret.Type == vault.TypeAPIKey {
		if c.queryParam != "" {
			return c.applyQueryKey(w, v)
		}
		header := c.apiKeyHeader(v)
		scheme, rest, _ := strings.Cut(v.key, " ")
		c.bearer = strings.EqualFold(header, "Authorization") && strings.EqualFold(scheme, "Bearer")
		if !c.bearer {
			return c.applyHeaderKey(w, v, header)
		}
		token = strings.TrimSpace(rest)
	}
	if c.secret != nil && c.secret.Type == vault.TypeSimple {
		return c.applyBasic(w, v)
	}
	if c.dpopBound(v) {
		return c.applyDPoP(w, v, token)
	}
	return c.applyBearer(w, token)
}

// dpopBound says whether the token of v goes with a DPoP proof: it came
// with the key that proves it, or (shown before it is fetched) its auth
// client has DPoP on.
func (c *credential) dpopBound(v values) bool {
	return v.prover != nil || v.masked && c.dpopKey != ""
}

// dpopKeyID is the thumbprint of the key that signs the proofs.
func (c *credential) dpopKeyID(v values) string {
	if v.prover != nil {
		return v.prover.KeyID()
	}
	return c.dpopKey
}

// applyQueryKey puts an API key in the query parameter its secret names.
func (c *credential) applyQueryKey(w *wire, v values) (vault.Placement, []string, error) {
	if c.placement == vault.PlaceBody {
		return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("API key %q is configured as query parameter %s and cannot go in the body", c.name, c.queryParam)}
	}
	q := w.url.Query()
	q.Set(c.queryParam, v.key)
	w.url.RawQuery = q.Encode()
	return "", []string{fmt.Sprintf("API key %q is sent in the URL query (%s): URLs end up in logs and browser history", c.name, c.queryParam)}, nil
}

// applyHeaderKey puts an API key (not a bearer token) in its header.
func (c *credential) applyHeaderKey(w *wire, v values, header string) (vault.Placement, []string, error) {
	if c.placement != vault.PlaceHeader {
		return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement %s applies to bearer tokens; API key %q goes in header %s (set a query parameter on the secret to send it in the URL)", c.placement, c.name, header)}
	}
	var warnings []string
	if w.set(header, v.key) {
		warnings = append(warnings, fmt.Sprintf("header %s was replaced by the credential", header))
	}
	return "", warnings, nil
}

// applyBasic puts a username and password in the Authorization header.
func (c *credential) applyBasic(w *wire, v values) (vault.Placement, []string, error) {
	if c.placement != vault.PlaceHeader {
		return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement %s applies to bearer tokens; basic credentials go in the Authorization header", c.placement)}
	}
	value := "Basic " + base64.StdEncoding.EncodeToString([]byte(v.username+":"+v.password))
	if v.masked {
		value = "Basic " + mask.Dots
	}
	var warnings []string
	if w.set("Authorization", value) {
		warnings = append(warnings, "header Authorization was replaced by the credential")
	}
	return "", warnings, nil
}

// applyBearer puts a bearer token where the credential's placement says
// (RFC 6750 §2): the Authorization header, the query or the form body.
func (c *credential) applyBearer(w *wire, token string) (vault.Placement, []string, error) {
	var warnings []string
	switch c.placement {
	case vault.PlaceHeader:
		if w.set("Authorization", "Bearer "+token) {
			warnings = append(warnings, "header Authorization was replaced by the credential")
		}
	case vault.PlaceQuery:
		q := w.url.Query()
		q.Set("access_token", token)
		w.url.RawQuery = q.Encode()
		warnings = append(warnings, "the token is sent in the URL query (S-14): URLs end up in server logs, proxies and history; use it only when the API requires it")
	case vault.PlaceBody:
		if err := bodyToken(w, token); err != nil {
			return "", nil, err
		}
		warnings = append(warnings, "the token is sent in the form body (S-14): prefer the Authorization header unless the API requires this")
	}
	return c.placement, warnings, nil
}

// bodyToken adds access_token to a request's form body (RFC 6750 §2.2),
// which a request without a body or Content-Type gets.
func bodyToken(w *wire, token string) error {
	switch w.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return &InputError{Field: "placement", Msg: fmt.Sprintf("placement body needs a request with a form body (POST, PUT, PATCH); this is a %s", w.method)}
	}
	ct := w.get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case ct == "" && (len(w.body) == 0 || looksForm(w.body)):
		w.set("Content-Type", "application/x-www-form-urlencoded")
	case mt == "application/x-www-form-urlencoded":
	default:
		return &InputError{Field: "placement", Msg: fmt.Sprintf("placement body needs an application/x-www-form-urlencoded body (RFC 6750 §2.2); this body is %s", orUnknown(ct))}
	}
	field := "access_token=" + url.QueryEscape(token)
	if len(w.body) > 0 {
		w.body = append(w.body, '&')
	}
	w.body = append(w.body, field...)
	return nil
}

// applyDPoP puts a DPoP-bound token on w (RFC 9449 §7.1): the DPoP scheme
// in the Authorization header and a proof for this method and URL, made
// with the token's own key (S-44). A display copy shows where the proof
// goes; the wire gets a fresh one, so a retry is proved anew.
func (c *credential) applyDPoP(w *wire, v values, token string) (vault.Placement, []string, error) {
	if c.placement != vault.PlaceHeader {
		return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("%q holds a DPoP-bound token, which goes in the Authorization header with its proof (RFC 9449 §7.1), not the %s", c.name, c.placement)}
	}
	var warnings []string
	if w.set("Authorization", "DPoP "+token) {
		warnings = append(warnings, "header Authorization was replaced by the credential")
	}
	proof := "(a proof signed by key " + c.dpopKeyID(v) + ", made when sent)"
	if !v.masked {
		p, err := v.prover.Proof(w.method, w.url.String())
		if err != nil {
			return "", nil, &CredentialError{Credential: c.name, Msg: "making the DPoP proof", Err: err}
		}
		proof = p
	}
	if w.set(dpop.HeaderName, proof) {
		warnings = append(warnings, "header DPoP was replaced by the credential's proof")
	}
	return vault.PlaceHeader, warnings, nil
}

// basicBlob is the base64 of a basic credential as the Authorization header
// carries it, so an echo of the header is scrubbed too.
func basicBlob(v values) string {
	if v.username == "" && v.password == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(v.username + ":" + v.password))
}

// redactError returns err with every secret value (in any encoding it may
// take) masked in its text, keeping an *InputError's field so callers still
// classify it; an error that quotes no secret is returned as it is.
func redactError(err error, secrets []string) error {
	text := err.Error()
	if scrub(text, secrets) == text {
		return err
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return &InputError{Field: ie.Field, Msg: scrub(strings.TrimPrefix(text, ie.Field+": "), secrets)}
	}
	return errors.New(scrub(text, secrets))
}
