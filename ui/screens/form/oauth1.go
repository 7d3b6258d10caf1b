package form

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// Where an OAuth 1.0a client's RSA key comes from (sourceFile and
// sourceKeep are shared with the other forms).
const sourcePaste = "paste"

// Callback modes of an OAuth 1.0a client; the first two are stored as is.
const (
	callbackLoopback = ""
	callbackOOB      = oauth1.OOB
	callbackCustom   = "custom"
)

// maxPEM bounds a pasted or read key.
const maxPEM = 64 << 10

// callbackModeOf maps a stored callback to the form's choice.
func callbackModeOf(cb string) string {
	switch cb {
	case "":
		return callbackLoopback
	case oauth1.OOB:
		return callbackOOB
	}
	return callbackCustom
}

// oauth1Spec is the wizard's OAuth 1.0a branch: no discovery exists for
// OAuth 1.0a, so it asks for the three endpoints, the consumer key, the
// signature method and its secret or RSA key, the callback and the token
// method, then where the client's requests may go.
type oauth1Spec struct {
	*clientSpec
}

// NewOAuth1Client returns the form creating an OAuth 1.0a auth client in
// env (the wizard's OAuth 1.0a choice).
func NewOAuth1Client(c *common.Common, env string) *Model {
	cs := newClientSpec(env)
	cs.typ = string(vault.ClientOAuth1)
	return newModel(c, &oauth1Spec{clientSpec: cs})
}

func (o *oauth1Spec) title() string { return "New OAuth 1.0a auth client in " + o.env }

func (o *oauth1Spec) groups(c *common.Common) []*huh.Group {
	s := o.clientSpec
	groups := []*huh.Group{huh.NewGroup(
		s.nameInput(c),
		huh.NewInput().Key("description").Title("Description").Value(&s.description),
	).Title("OAuth 1.0a · client")}
	groups = append(groups, s.oauth1Groups("shown masked; stored in the vault")...)
	return append(groups, s.whereGroup())
}

// oauth1Groups are the pages of an OAuth 1.0a client; each is hidden for
// the other protocols and when its choice does not apply.
func (s *clientSpec) oauth1Groups(secretDesc string) []*huh.Group {
	methods := make([]huh.Option[string], 0, len(oauth1.Methods))
	for _, m := range []string{oauth1.HMACSHA256, oauth1.HMACSHA1, oauth1.RSASHA256, oauth1.RSASHA1, oauth1.Plaintext} {
		label := m
		switch {
		case oauth1.IsRSA(m):
			label += " (your RSA key; the provider holds its public half)"
		case m == oauth1.Plaintext:
			label += " (the secrets travel as they are: https only)"
		default:
			label += " (the consumer secret)"
		}
		methods = append(methods, huh.NewOption(label, m))
	}
	keyOpts := []huh.Option[string]{
		huh.NewOption("paste the PEM", sourcePaste),
		huh.NewOption("read a PEM file", sourceFile),
	}
	if s.orig != nil && s.orig.HasSecret && oauth1.IsRSA(s.orig.SignatureMethod) {
		label := "keep the stored key"
		if s.orig.KeyID != "" {
			label += " (key id " + s.orig.KeyID + ")"
		}
		keyOpts = append([]huh.Option[string]{huh.NewOption(label, sourceKeep)}, keyOpts...)
	}
	isRSA := func() bool { return oauth1.IsRSA(s.signatureMethod) }
	hidden := func() bool { return !s.oauth1() }
	return []*huh.Group{
		huh.NewGroup(
			s.flowURL("requestTokenURL", "Request token URL", "temporary credentials (RFC 5849 §2.1); leave all three empty for a client without a flow, which signs with token credentials you store", &s.requestTokenURL, "endpoints.requestToken"),
			s.flowURL("authURL1", "Authorization URL", "where the resource owner approves", &s.authURL, "endpoints.auth"),
			s.flowURL("tokenURL1", "Access token URL", "token credentials (§2.3)", &s.tokenURL, "endpoints.token", "endpoints"),
		).Title("OAuth 1.0a · endpoints").WithHideFunc(hidden),

		huh.NewGroup(
			huh.NewInput().Key("clientID1").Title("Consumer key").Description("the client identifier the provider issued").Value(&s.clientID).
				Validate(s.validator(func(v string) { s.clientID = v }, "clientId")),
			huh.NewSelect[string]().Key("signatureMethod").Title("Signature method").Description("what the provider accepts; never guessed").
				Options(methods...).Value(&s.signatureMethod),
		).Title("OAuth 1.0a · consumer").WithHideFunc(hidden),

		huh.NewGroup(
			secretInput("secret1", "Consumer secret", secretDesc, &s.secret).Validate(func(v string) error {
				s.secret = v
				return fieldError(s.missingOAuth1Creds(), "clientSecret")
			}),
		).Title("OAuth 1.0a · consumer secret").WithHideFunc(func() bool { return hidden() || isRSA() }),

		huh.NewGroup(
			huh.NewSelect[string]().Key("keySource1").Title("RSA private key").
				Description("the key whose public half is registered with the provider; afterwards only its key id is shown").
				Options(keyOpts...).Value(&s.oa1KeySource),
			secretInput("keyPEM", "Private key (PEM)", "when pasting: the whole key, BEGIN and END lines included; it stays masked", &s.oa1KeyPEM).
				Validate(func(v string) error {
					s.oa1KeyPEM = v
					if s.oa1KeySource != sourcePaste {
						return nil
					}
					_, _, err := pastedRSAKey(s.name, v)
					return fieldError(err, "privateKey")
				}),
			huh.NewInput().Key("keyPath1").Title("Key file").Description("when reading a file: PEM, read when you save").Placeholder("~/keys/consumer.pem").Value(&s.oa1KeyPath).
				Validate(func(v string) error {
					s.oa1KeyPath = v
					if s.oa1KeySource == sourceFile && strings.TrimSpace(v) == "" {
						return errors.New("name the PEM file to read")
					}
					return nil
				}),
		).Title("OAuth 1.0a · RSA key").WithHideFunc(func() bool { return hidden() || !isRSA() }),

		huh.NewGroup(
			huh.NewSelect[string]().Key("callback").Title("Callback").Options(
				huh.NewOption("loopback: http://127.0.0.1:{port}/callback (any free port)", callbackLoopback),
				huh.NewOption("oob: type the verifier the provider shows", callbackOOB),
				huh.NewOption("a registered loopback URL", callbackCustom),
			).Value(&s.callbackMode),
			huh.NewSelect[string]().Key("tokenMethod1").Title("Token request method").Description("for the request-token and access-token endpoints").
				Options(huh.NewOption("POST", ""), huh.NewOption("GET (legacy providers)", "GET")).Value(&s.tokenMethod),
		).Title("OAuth 1.0a · callback").WithHideFunc(func() bool { return hidden() || !s.oauth1Flow() }),

		huh.NewGroup(
			huh.NewInput().Key("callbackURL").Title("Registered callback URL").Description("a loopback http URL; authdeck listens on its port and path").
				Placeholder("http://127.0.0.1:8914/callback").Value(&s.callback).
				Validate(s.validator(func(v string) { s.callback = v }, "callback")),
		).Title("OAuth 1.0a · callback").WithHideFunc(func() bool { return hidden() || !s.oauth1Flow() || s.callbackMode != callbackCustom }),
	}
}

// flowURL is an input for one of the three flow URLs of an OAuth 1.0a
// client: all three, or none for a client that only signs with stored
// token credentials (the vault names the missing ones of a partial set
// when the last is left).
func (s *clientSpec) flowURL(k, title, desc string, p *string, fields ...string) *huh.Input {
	return huh.NewInput().Key(k).Title(title).Description(desc).Value(p).Validate(func(v string) error {
		*p = v
		return fieldError(s.check(), fields...)
	})
}

// oauth1Flow reports whether the draft names any flow URL.
func (s *clientSpec) oauth1Flow() bool {
	return strings.TrimSpace(s.requestTokenURL+s.authURL+s.tokenURL) != ""
}

// missingOAuth1Creds says which credential a save would lack, as a
// validation error naming the field (clientSecret or privateKey).
func (s *clientSpec) missingOAuth1Creds() error {
	method := s.signatureMethod
	name := strings.TrimSpace(s.name)
	fail := func(field, msg string) error {
		return &vault.ValidationError{Kind: "auth client", Name: name, Field: field, Msg: msg}
	}
	o := s.orig
	if oauth1.IsRSA(method) {
		switch s.oa1KeySource {
		case sourcePaste:
			if strings.TrimSpace(s.oa1KeyPEM) == "" {
				return fail("privateKey", "is required for "+method+": paste the PEM or name its file")
			}
		case sourceFile:
			if strings.TrimSpace(s.oa1KeyPath) == "" {
				return fail("privateKey", "is required for "+method+": name the PEM file to read")
			}
		case sourceKeep:
			if o == nil || !o.HasSecret || !oauth1.IsRSA(o.SignatureMethod) {
				return fail("privateKey", "is required for "+method+": there is no stored RSA key to keep")
			}
		}
		return nil
	}
	// A stored secret is kept unless the client signed with RSA before, when
	// what is stored is a key.
	keeps := o != nil && o.HasSecret && !oauth1.IsRSA(o.SignatureMethod)
	if s.secret == "" && !keeps {
		return fail("clientSecret", "the consumer secret is required for "+method)
	}
	return nil
}

// prepareOAuth1 checks an OAuth 1.0a client's credentials and returns the
// save: nothing new keeps the stored credentials; a new secret or key is
// laid over them.
func (s *clientSpec) prepareOAuth1(ac vault.AuthClient) (change, error) {
	if err := s.missingOAuth1Creds(); err != nil {
		return change{}, err
	}
	in, err := s.oauth1Signing(ac)
	if err != nil {
		return change{}, err
	}
	orig := s.orig
	verb := "Created"
	if orig != nil {
		verb = "Saved"
	}
	return change{ok: fmt.Sprintf("%s OAuth 1.0a auth client %s", verb, ac.Name), item: common.ItemRef{Kind: "auth client", Env: ac.Env, Name: ac.Name}, run: func(ctx context.Context, v *vault.Vault) (string, error) {
		if in.none() {
			_, err := v.PutClient(ctx, ac, nil)
			return "", err
		}
		var creds vault.ClientCredentials
		if orig != nil {
			stored, err := v.ClientCredentials(ctx, *orig)
			if err != nil {
				return "", err
			}
			creds = stored
		}
		if err := in.apply(&ac, &creds); err != nil {
			return "", err
		}
		if err := ac.ValidateCredentials(creds); err != nil {
			return "", err
		}
		_, err := v.PutClient(ctx, ac, &creds)
		return "", err
	}}, nil
}

// oauth1Signing is what the form gives an OAuth 1.0a client to sign with:
// the consumer secret (HMAC and PLAINTEXT), or an RSA key pasted (checked
// now) or in a file (read when saving).
type oauth1Signing struct {
	rsa                   bool
	secret, pasted, keyID string
	keyPath               string
}

func (in oauth1Signing) none() bool { return in.secret == "" && in.pasted == "" && in.keyPath == "" }

func (s *clientSpec) oauth1Signing(ac vault.AuthClient) (oauth1Signing, error) {
	in := oauth1Signing{rsa: oauth1.IsRSA(ac.SignatureMethod)}
	if !in.rsa {
		in.secret = s.secret
		return in, nil
	}
	switch s.oa1KeySource {
	case sourcePaste:
		p, id, err := pastedRSAKey(ac.Name, s.oa1KeyPEM)
		if err != nil {
			return in, err
		}
		in.pasted, in.keyID = p, id
	case sourceFile:
		in.keyPath = expandHome(s.oa1KeyPath)
	}
	return in, nil
}

// apply puts the new secret or key into the stored credentials.
func (in oauth1Signing) apply(ac *vault.AuthClient, creds *vault.ClientCredentials) error {
	if in.secret != "" {
		creds.ClientSecret = in.secret
	}
	if in.pasted != "" {
		creds.PrivateKey, ac.KeyID = in.pasted, in.keyID
	}
	if in.keyPath != "" {
		text, err := readPEM(in.keyPath)
		if err != nil {
			return err
		}
		p, id, err := pastedRSAKey(ac.Name, text)
		if err != nil {
			return err
		}
		creds.PrivateKey, ac.KeyID = p, id
	}
	if !in.rsa {
		// Only the secret signs now; a key left from RSA days goes.
		creds.PrivateKey, ac.KeyID = "", ""
	}
	return nil
}

// pastedRSAKey turns a pasted (or read) PEM into the key to store and its
// key id. Errors name the privateKey field and never quote the key.
func pastedRSAKey(client, text string) (pemText, keyID string, err error) {
	fail := func(msg string) error {
		return &vault.ValidationError{Kind: "auth client", Name: client, Field: "privateKey", Msg: msg}
	}
	pemText, err = normalizePEM(text)
	if err != nil {
		return "", "", fail(err.Error())
	}
	ac := vault.AuthClient{Meta: vault.Meta{Name: client}, Type: vault.ClientOAuth1}
	if _, err := clientcreds.Apply(&ac, &vault.ClientCredentials{}, clientcreds.Given{Key: pemText}); err != nil {
		return "", "", err
	}
	return pemText, ac.KeyID, nil
}

// normalizePEM turns a pasted PEM block back into text pem.Decode reads.
// A one-line field turns the paste's line breaks into spaces, so the base64
// body is rejoined and wrapped again; only the first block is kept.
// Messages say what is wrong and where, never what the key holds.
func normalizePEM(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("paste the PEM private key")
	case len(s) > maxPEM:
		return "", fmt.Errorf("longer than %d KiB; that is not a PEM key", maxPEM>>10)
	}
	const dashes, begin = "-----", "-----BEGIN "
	i := strings.Index(s, begin)
	if i < 0 {
		return "", errors.New(`no "-----BEGIN … PRIVATE KEY-----" line found`)
	}
	rest := s[i+len(begin):]
	j := strings.Index(rest, dashes)
	if j < 0 {
		return "", errors.New(`the BEGIN line does not end with "-----"`)
	}
	label := rest[:j]
	if label == "" || len(label) > 40 {
		return "", errors.New("the BEGIN line names no key type")
	}
	for k := 0; k < len(label); k++ {
		if c := label[k]; c != ' ' && (c < 'A' || c > 'Z') {
			return "", fmt.Errorf("the BEGIN line's key type has an unexpected character at position %d", k+1)
		}
	}
	body := rest[j+len(dashes):]
	footer := dashes + "END " + label + dashes
	k := strings.Index(body, footer)
	if k < 0 {
		return "", fmt.Errorf("no %q line found", footer)
	}
	if strings.Contains(body[:k], ":") {
		return "", errors.New("the key has PEM headers (an encrypted key?); decrypt it first (openssl pkey -in key.pem -out plain.pem)")
	}
	b64 := strings.Join(strings.Fields(body[:k]), "")
	if b64 == "" {
		return "", errors.New("the key has no body between its BEGIN and END lines")
	}
	for n := 0; n < len(b64); n++ {
		c := b64[n]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return "", fmt.Errorf("the key body has a character that is not base64 at position %d", n+1)
		}
	}
	if _, err := base64.StdEncoding.DecodeString(b64); err != nil {
		return "", errors.New("the key body is not complete base64 (was the paste cut short?)")
	}
	var b strings.Builder
	b.WriteString(begin + label + dashes + "\n")
	for len(b64) > 64 {
		b.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	b.WriteString(b64 + "\n" + footer + "\n")
	return b.String(), nil
}

// checkCallback accepts what the loopback listener can serve: an http URL
// on a loopback address, without query or fragment (the CLI's --callback
// follows the same rule).
func checkCallback(client, raw string) error {
	fail := func(msg string) error {
		return &vault.ValidationError{Kind: "auth client", Name: client, Field: "callback", Msg: msg}
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fail("give the registered loopback URL, e.g. http://127.0.0.1:8914/callback")
	}
	if !utf8.ValidString(raw) {
		return fail("is not valid UTF-8")
	}
	if strings.ContainsAny(raw, "?#") {
		// An empty query or fragment ("…/callback#") parses to nothing but
		// is still not the URL the listener serves.
		return fail("authdeck receives the callback on a loopback listener: give http://127.0.0.1:PORT/PATH without a query or fragment (or choose loopback or oob)")
	}
	if err := vault.CheckURL("callback", raw); err != nil {
		return fail(strings.TrimPrefix(err.Error(), "callback: "))
	}
	u, _ := url.Parse(raw)
	if u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fail("authdeck receives the callback on a loopback listener: give http://127.0.0.1:PORT/PATH without a query (or choose loopback or oob)")
	}
	return nil
}
