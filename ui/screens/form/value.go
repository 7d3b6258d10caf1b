package form

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// The forms below set only this person's value of an item: a secret's
// value, an auth client's credentials, a secret variable. Their first field
// is the value, so it has the focus; nothing else of the item can change,
// and the value is stored in this person's vault only (in a team workspace
// it overrides the team's shared value for them, and the folder is left as
// it is). A value not set yet is an empty field, not an error.

// valueNote says where a value set by these forms goes.
func valueNote(c *common.Common, shared bool) string {
	where := "kept in your " + c.BackendLabel() + " vault only"
	if shared {
		return where + "; it overrides the team's shared value for you"
	}
	return where
}

// notSet reports whether err only says that there is no value yet.
func notSet(err error) bool { return errors.Is(err, vault.ErrNotFound) }

// secretValueSpec sets a secret's value.
type secretValueSpec struct {
	*secretSpec
}

// SetSecretValue returns the form setting only this person's value of
// sec, its value field focused.
func SetSecretValue(c *common.Common, sec vault.Secret) *Model {
	s := editSpec(sec)
	s.keySource = sourceFile
	return newModel(c, &secretValueSpec{secretSpec: s})
}

func (s *secretValueSpec) title() string {
	return fmt.Sprintf("Set your value of %s %s (%s)", s.typ.Label(), s.orig.Name, s.env)
}

func (s *secretValueSpec) loaded(msg tea.Msg) (bool, error) {
	m, ok := msg.(secretLoadedMsg)
	if !ok {
		return false, nil
	}
	if notSet(m.err) {
		m.err, m.val = nil, vault.SecretValue{}
	}
	return s.secretSpec.loaded(m)
}

func (s *secretValueSpec) groups(c *common.Common) []*huh.Group {
	var fields []huh.Field
	switch s.typ {
	case vault.TypeAPIKey:
		fields = append(fields, secretInput("key", "Key", "the key or bearer token", &s.key).
			Validate(s.validator(func(v string) { s.key = v }, "value.key")))
	case vault.TypeSimple:
		fields = append(fields,
			huh.NewInput().Key("username").Title("Username").Value(&s.username).
				Validate(s.validator(func(v string) { s.username = v }, "value.username")),
			secretInput("passphrase", "Passphrase", "", &s.passphrase))
	case vault.TypeOAuthToken:
		fields = append(fields,
			secretInput("accessToken", "Access token", "", &s.access).
				Validate(s.validator(func(v string) { s.access = v }, "value.accessToken")),
			secretInput("refreshToken", "Refresh token", "optional", &s.refresh),
			secretInput("idToken", "ID token", "optional", &s.idToken))
	case vault.TypeSessionAuth:
		fields = append(fields, s.sessionInputs(c)...)
	case vault.TypePrivateKey:
		fields = append(fields, s.pathInput("keyPath", "Private key file", "PEM: RSA ≥ 2048 or EC P-256", &s.keyPath))
	case vault.TypeClientCert:
		fields = append(fields,
			s.pathInput("certPath", "Certificate file", "PEM certificate", &s.certPath),
			s.pathInput("keyPath", "Key file", "PEM private key of the certificate", &s.keyPath))
	case vault.TypeOAuth1Token:
		fields = append(fields,
			secretInput("token", "Token", "", &s.token).Validate(s.validator(func(v string) { s.token = v }, "value.token")),
			secretInput("tokenSecret", "Token secret", "", &s.tokenSecret))
	}
	return []*huh.Group{huh.NewGroup(fields...).Description(valueNote(c, s.orig.Shared))}
}

func (s *secretValueSpec) prepare(*common.Common) (change, error) {
	sec, val, err := s.draft()
	if err != nil {
		return change{}, err
	}
	sec = *s.orig
	if ti, _ := s.typ.Info(); !ti.PEM {
		if err := sec.ValidateValue(val); err != nil {
			return change{}, err
		}
	}
	typ, keyPath, certPath := s.typ, expandHome(s.keyPath), expandHome(s.certPath)
	return change{ok: fmt.Sprintf("Set your value of %s %s", typ.Label(), sec.Name), run: func(ctx context.Context, v *vault.Vault) (string, error) {
		switch typ {
		case vault.TypePrivateKey:
			b, err := readPEM(keyPath)
			if err != nil {
				return "", err
			}
			val.PrivateKey = b
		case vault.TypeClientCert:
			cert, key, err := readCertPair(certPath, keyPath)
			if err != nil {
				return "", err
			}
			val.Cert, val.PrivateKey = cert, key
		case vault.TypeAPIKey, vault.TypeSimple, vault.TypeOAuthToken, vault.TypeSessionAuth, vault.TypeOAuth1Token:
			// the value the form holds
		}
		return "", v.OverrideSecret(ctx, sec, val)
	}}, nil
}

// clientValueSpec sets an auth client's credentials: its client (or
// consumer) secret, private key, or client certificate with its key.
type clientValueSpec struct {
	ac                         vault.AuthClient
	creds                      vault.ClientCredentials
	secret, keyPath, certPath  string
	loadedOK                   bool
	keyOnly, certOnly, noCreds bool
}

// clientCredsLoadedMsg carries the credentials the client has (none yet).
type clientCredsLoadedMsg struct {
	creds vault.ClientCredentials
	err   error
}

// SetClientCredentials returns the form setting only this person's
// credentials of ac, its first credential field focused.
func SetClientCredentials(c *common.Common, ac vault.AuthClient) *Model {
	s := &clientValueSpec{ac: ac}
	switch {
	case ac.Type == vault.ClientOAuth1:
		s.keyOnly = oauth1.IsRSA(ac.SignatureMethod)
	case ac.Type == vault.ClientSessionAuth:
		s.noCreds = true
	case ac.AuthMethod == vault.AuthPrivateKeyJWT:
		s.keyOnly = true
	case ac.AuthMethod == vault.AuthTLSClient:
		s.certOnly = true
	case !ac.AuthMethod.UsesSecret():
		s.noCreds = true
	}
	return newModel(c, s)
}

func (s *clientValueSpec) title() string {
	return fmt.Sprintf("Set your credentials of auth client %s (%s)", s.ac.Name, s.ac.Env)
}

func (s *clientValueSpec) secretLabel() string {
	if s.ac.Type == vault.ClientOAuth1 {
		return "Consumer secret" // RFC 5849's name
	}
	return "Client secret"
}

func (s *clientValueSpec) load(c *common.Common) tea.Cmd {
	v, timeout, ac := c.Vault, c.StoreTimeout, s.ac
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		creds, err := v.ClientCredentials(ctx, ac)
		return clientCredsLoadedMsg{creds: creds, err: err}
	}
}

func (s *clientValueSpec) loaded(msg tea.Msg) (bool, error) {
	m, ok := msg.(clientCredsLoadedMsg)
	if !ok {
		return false, nil
	}
	switch {
	case notSet(m.err):
		s.creds = vault.ClientCredentials{}
	case m.err != nil:
		return true, m.err
	default:
		s.creds = m.creds
		s.secret = m.creds.ClientSecret
	}
	// a stored key or certificate is kept, never shown (S-26): an empty
	// path keeps it
	s.loadedOK = true
	return true, nil
}

func (s *clientValueSpec) groups(c *common.Common) []*huh.Group {
	var fields []huh.Field
	keep := ""
	if s.loadedOK && (s.creds.PrivateKey != "" || s.creds.Cert != "") {
		keep = "; leave empty to keep the stored one"
	}
	switch {
	case s.noCreds:
		fields = append(fields, huh.NewNote().Title("No credentials").Description(s.ac.Name+" ("+string(s.ac.AuthMethod)+") keeps no secret: there is nothing to set."))
	case s.keyOnly:
		fields = append(fields, huh.NewInput().Key("keyPath").Title("Private key file").Description("PEM: RSA ≥ 2048 or EC P-256"+keep).Placeholder("~/keys/client.pem").Value(&s.keyPath))
	case s.certOnly:
		fields = append(fields,
			huh.NewInput().Key("certPath").Title("Certificate file").Description("PEM certificate"+keep).Placeholder("~/keys/client.crt").Value(&s.certPath),
			huh.NewInput().Key("keyPath").Title("Key file").Description("PEM private key of the certificate").Placeholder("~/keys/client.key").Value(&s.keyPath))
	default:
		fields = append(fields, secretInput("clientSecret", s.secretLabel(), "", &s.secret).Validate(func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New(strings.ToLower(s.secretLabel()) + " is required")
			}
			return nil
		}))
	}
	return []*huh.Group{huh.NewGroup(fields...).Description(valueNote(c, s.ac.Shared))}
}

func (s *clientValueSpec) prepare(*common.Common) (change, error) {
	if s.noCreds {
		return change{}, fmt.Errorf("%w: auth client %q keeps no secret", vault.ErrInvalid, s.ac.Name)
	}
	ac, creds := s.ac, s.creds
	secret, keyPath, certPath := s.secret, expandHome(s.keyPath), expandHome(s.certPath)
	keyOnly, certOnly := s.keyOnly, s.certOnly
	if !keyOnly && !certOnly {
		if strings.TrimSpace(secret) == "" {
			return change{}, &vault.ValidationError{Kind: "auth client", Name: ac.Name, Field: "clientSecret", Msg: "is required"}
		}
		creds.ClientSecret = secret
	}
	return change{ok: "Set your credentials of auth client " + ac.Name, run: func(ctx context.Context, v *vault.Vault) (string, error) {
		switch {
		case keyOnly && keyPath != "":
			b, err := readPEM(keyPath)
			if err != nil {
				return "", err
			}
			creds.PrivateKey = b
		case certOnly && (certPath != "" || keyPath != ""):
			cert, key, err := readCertPair(certPath, keyPath)
			if err != nil {
				return "", err
			}
			creds.Cert, creds.CertKey = cert, key
		case keyOnly || certOnly:
			if creds.PrivateKey == "" && creds.Cert == "" {
				return "", &vault.ValidationError{Kind: "auth client", Name: ac.Name, Field: "file", Msg: "name the PEM file(s) to read"}
			}
		}
		return "", v.OverrideClientCredentials(ctx, ac, creds)
	}}, nil
}

// variableSpec sets a secret variable's value.
type variableSpec struct {
	env, name, value string
}

// SetVariable returns the form setting this person's value of the secret
// variable name of env.
func SetVariable(c *common.Common, env, name string) *Model {
	return newModel(c, &variableSpec{env: env, name: name})
}

func (s *variableSpec) title() string {
	return fmt.Sprintf("Set your value of the variable %s (%s)", s.name, s.env)
}

func (s *variableSpec) load(*common.Common) tea.Cmd { return nil }

func (s *variableSpec) loaded(tea.Msg) (bool, error) { return false, nil }

func (s *variableSpec) groups(c *common.Common) []*huh.Group {
	return []*huh.Group{huh.NewGroup(
		secretInput("value", "Value", "fills {{"+s.name+"}}", &s.value).Validate(func(v string) error {
			if v == "" {
				return errors.New("value is required")
			}
			return nil
		}),
	).Description(valueNote(c, false))}
}

func (s *variableSpec) prepare(*common.Common) (change, error) {
	if s.value == "" {
		return change{}, &vault.ValidationError{Kind: "variable", Name: s.name, Field: "value", Msg: "is required"}
	}
	env, name, value := s.env, s.name, s.value
	return change{ok: "Set your value of the variable " + name, item: common.ItemRef{Kind: "variable", Env: env, Name: name}, run: func(ctx context.Context, v *vault.Vault) (string, error) {
		return "", v.SetVar(ctx, env, name, value, true)
	}}, nil
}

// readCertPair reads a client certificate's PEM file and its key's.
func readCertPair(certPath, keyPath string) (cert, key string, err error) {
	if cert, err = readPEM(certPath); err != nil {
		return "", "", err
	}
	if key, err = readPEM(keyPath); err != nil {
		return "", "", err
	}
	return cert, key, nil
}
