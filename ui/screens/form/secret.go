package form

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
)

// secretSpec creates or edits a secret of one type.
type secretSpec struct {
	env  string
	typ  vault.SecretType
	orig *vault.Secret // nil when creating

	name, description, expires, tenant, hosts string
	placement                                 string

	key, headerName, queryParam                 string
	username, passphrase                        string
	authClient, access, refresh, idToken, scope string
	tokenExpires                                string
	inputs                                      map[string]*string
	keySource, keyPath, certPath                string
	token, tokenSecret                          string
	loadedValue                                 *vault.SecretValue
	// storedKey describes the stored private key of a PEM secret being
	// edited; the PEM itself is dropped as soon as it is read (S-26).
	storedKey *common.KeyInfo
}

// secretLoadedMsg carries the value of the secret being edited.
type secretLoadedMsg struct {
	val vault.SecretValue
	// key describes the stored private key, whose PEM val no longer holds.
	key *common.KeyInfo
	err error
}

// Key sources of PEM secrets.
const (
	sourceKeep  = "keep"
	sourceFile  = "file"
	sourceES256 = vault.AlgES256
	sourceRS256 = vault.AlgRS256
)

// NewSecret returns the form creating a secret of type t in env.
func NewSecret(c *common.Common, env string, t vault.SecretType) *Model {
	s := &secretSpec{env: env, typ: t, inputs: map[string]*string{}, keySource: sourceFile}
	if t == vault.TypePrivateKey {
		s.keySource = sourceES256
	}
	return newModel(c, s)
}

// EditSecret returns the form editing an existing secret; its value is read
// from the store first.
func EditSecret(c *common.Common, sec vault.Secret) *Model {
	return newModel(c, editSpec(sec))
}

// editSpec is the draft of an edit of sec, before its value is read.
func editSpec(sec vault.Secret) *secretSpec {
	s := &secretSpec{env: sec.Env, typ: sec.Type, orig: &sec, inputs: map[string]*string{}, keySource: sourceKeep}
	s.name, s.description, s.tenant = sec.Name, sec.Description, sec.Tenant
	s.expires = formatTime(sec.Expiration)
	s.hosts = strings.Join(sec.AllowedHosts, ", ")
	s.placement = string(sec.Placement)
	s.headerName, s.queryParam, s.authClient = sec.HeaderName, sec.QueryParam, sec.AuthClient
	return s
}

func (s *secretSpec) title() string {
	if s.orig != nil {
		return "Edit " + s.typ.Label() + " " + s.orig.Name
	}
	return "New " + s.typ.Label() + " in " + s.env
}

func (s *secretSpec) load(c *common.Common) tea.Cmd {
	if s.orig == nil {
		return nil
	}
	v, timeout, sec := c.Vault, c.StoreTimeout, *s.orig
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		val, err := v.SecretValue(ctx, sec)
		msg := secretLoadedMsg{val: val, err: err}
		if err == nil && val.PrivateKey != "" {
			// The form never shows or needs a stored key: an empty key
			// field keeps it. Keep its description and drop the PEM.
			k := common.DescribeKey(val.PrivateKey)
			msg.key = &k
			msg.val.PrivateKey = ""
		}
		return msg
	}
}

func (s *secretSpec) loaded(msg tea.Msg) (bool, error) {
	m, ok := msg.(secretLoadedMsg)
	if !ok {
		return false, nil
	}
	if m.err != nil {
		return true, m.err
	}
	v := m.val
	s.loadedValue = &v
	s.storedKey = m.key
	s.key = v.Key
	if v.HeaderName != "" && s.headerName == "" {
		s.headerName = v.HeaderName
	}
	s.username, s.passphrase = v.Username, v.Passphrase
	s.access, s.refresh, s.idToken, s.scope, s.tokenExpires = v.AccessToken, v.RefreshToken, v.IDToken, v.Scope, v.Expires
	for k, val := range v.InputFields {
		val := val
		s.inputs[k] = &val
	}
	s.token, s.tokenSecret = v.Token, v.TokenSecret
	return true, nil
}

// draft builds the secret and value from the fields; PEM files are not read here.
func (s *secretSpec) draft() (vault.Secret, vault.SecretValue, error) {
	sec := vault.Secret{Type: s.typ, AuthClient: s.authClient, HeaderName: strings.TrimSpace(s.headerName), QueryParam: strings.TrimSpace(s.queryParam), Placement: vault.Placement(s.placement)}
	if s.orig != nil {
		sec = *s.orig
		sec.AuthClient, sec.HeaderName, sec.QueryParam, sec.Placement = s.authClient, strings.TrimSpace(s.headerName), strings.TrimSpace(s.queryParam), vault.Placement(s.placement)
	}
	sec.Name, sec.Env, sec.Description, sec.Tenant = s.name, s.env, s.description, s.tenant
	sec.AllowedHosts = splitList(s.hosts)
	exp, err := parseTime("expiration", s.expires)
	if err != nil {
		return sec, vault.SecretValue{}, err
	}
	sec.Expiration = exp
	var val vault.SecretValue
	if s.loadedValue != nil {
		val = *s.loadedValue
	}
	switch s.typ {
	case vault.TypeAPIKey:
		val.Key, val.HeaderName = s.key, ""
	case vault.TypeSimple:
		val.Username, val.Passphrase = s.username, s.passphrase
	case vault.TypeOAuthToken:
		val.AuthClientID, val.AccessToken, val.RefreshToken, val.IDToken = s.authClient, s.access, s.refresh, s.idToken
		val.Scope, val.Expires = s.scope, strings.TrimSpace(s.tokenExpires)
	case vault.TypeSessionAuth:
		val.AuthClientID = s.authClient
		val.InputFields = map[string]string{}
		for k, p := range s.inputs {
			if *p != "" {
				val.InputFields[k] = *p
			}
		}
	case vault.TypeOAuth1Token:
		val.Token, val.TokenSecret = s.token, s.tokenSecret
	case vault.TypePrivateKey, vault.TypeClientCert:
		// read from their PEM files when saving
	}
	return sec, val, nil
}

// check validates the draft; value checks are skipped for PEM types (their
// files are read when saving).
func (s *secretSpec) check() error {
	sec, val, err := s.draft()
	if err != nil {
		return err
	}
	if err := sec.Validate(); err != nil {
		return err
	}
	if ti, _ := s.typ.Info(); ti.PEM {
		return nil
	}
	return sec.ValidateValue(val)
}

// validator checks the draft with this field's value in place and reports
// only errors the vault attributes to the named fields.
func (s *secretSpec) validator(set func(string), fields ...string) func(string) error {
	return func(v string) error {
		set(v)
		return fieldError(s.check(), fields...)
	}
}

func (s *secretSpec) groups(c *common.Common) []*huh.Group {
	meta := []huh.Field{
		huh.NewInput().Key("name").Title("Name").Value(&s.name).
			Validate(func(v string) error {
				s.name = v
				if err := fieldError(s.check(), "name"); err != nil {
					return err
				}
				if c.Catalog != nil {
					if x, ok := c.Catalog.Secret(s.env, v); ok && (s.orig == nil || x.ID != s.orig.ID) {
						return &vault.ExistsError{Kind: "secret", Name: v, Env: s.env}
					}
				}
				return nil
			}),
		huh.NewInput().Key("description").Title("Description").Value(&s.description),
	}
	var value []huh.Field
	switch s.typ {
	case vault.TypeAPIKey:
		value = append(value,
			secretInput("key", "Key", "the key or bearer token (\"Bearer …\" for a bearer token)", &s.key).
				Validate(s.validator(func(v string) { s.key = v }, "value.key")),
			huh.NewInput().Key("headerName").Title("Header").Placeholder("Authorization").Value(&s.headerName).
				Validate(s.validator(func(v string) { s.headerName = v }, "headerName", "value.headerName")),
			huh.NewInput().Key("queryParam").Title("Query parameter").Description("send the key as this query parameter instead of a header (shown with a warning)").Value(&s.queryParam),
		)
	case vault.TypeSimple:
		value = append(value,
			huh.NewInput().Key("username").Title("Username").Value(&s.username).
				Validate(s.validator(func(v string) { s.username = v }, "value.username")),
			secretInput("passphrase", "Passphrase", "", &s.passphrase),
		)
	case vault.TypeOAuthToken:
		value = append(value,
			clientSelect(c, s.env, vault.ClientOAuth2, &s.authClient, false),
			secretInput("accessToken", "Access token", "", &s.access).
				Validate(s.validator(func(v string) { s.access = v }, "value.accessToken")),
			secretInput("refreshToken", "Refresh token", "optional", &s.refresh),
			secretInput("idToken", "ID token", "optional", &s.idToken),
			huh.NewInput().Key("scope").Title("Scope").Value(&s.scope),
			huh.NewInput().Key("expires").Title("Expires").Placeholder("2027-01-31T12:00:00Z").Value(&s.tokenExpires).
				Validate(s.validator(func(v string) { s.tokenExpires = v }, "value.expires")),
		)
	case vault.TypeSessionAuth:
		value = append(value, clientSelect(c, s.env, vault.ClientSessionAuth, &s.authClient, true))
		value = append(value, s.sessionInputs(c)...)
	case vault.TypePrivateKey:
		value = append(value, s.keySourceSelect(), s.pathInput("keyPath", "Private key file", "PEM: RSA ≥ 2048 or EC P-256", &s.keyPath))
	case vault.TypeClientCert:
		value = append(value,
			s.pathInput("certPath", "Certificate file", "PEM certificate", &s.certPath),
			s.pathInput("keyPath", "Key file", "PEM private key of the certificate", &s.keyPath),
		)
	case vault.TypeOAuth1Token:
		value = append(value,
			secretInput("token", "Token", "", &s.token).Validate(s.validator(func(v string) { s.token = v }, "value.token")),
			secretInput("tokenSecret", "Token secret", "", &s.tokenSecret),
		)
	}
	more := []huh.Field{
		huh.NewInput().Key("expiration").Title("Expires").Description("when the credential stops working; empty = never").Placeholder("2027-01-31").Value(&s.expires).
			Validate(s.validator(func(v string) { s.expires = v }, "expiration")),
		huh.NewInput().Key("tenant").Title("Tenant").Value(&s.tenant),
		huh.NewInput().Key("allowedHosts").Title("Allowed hosts").Description("only send it to these hosts (comma separated; *.example.com for subdomains)").Value(&s.hosts).
			Validate(s.validator(func(v string) { s.hosts = v }, "allowedHosts")),
	}
	if ti, _ := s.typ.Info(); ti.Placement {
		more = append(more, huh.NewSelect[string]().Key("placement").Title("Bearer placement").
			Options(huh.NewOption("header (default)", ""), huh.NewOption("form body (warns)", string(vault.PlaceBody)), huh.NewOption("query parameter (warns)", string(vault.PlaceQuery))).
			Value(&s.placement))
	}
	return []*huh.Group{
		huh.NewGroup(append(meta, value...)...),
		huh.NewGroup(more...).Title("Where and how long"),
	}
}

// sessionFields lists the {{fields.NAME}} of the chosen session client's
// template, plus fields the secret already has.
func (s *secretSpec) sessionFields(c *common.Common) []string {
	var names []string
	if c.Catalog != nil {
		if ac, ok := c.Catalog.Client(s.env, s.authClient); ok && ac.SessionAuth != nil {
			for _, f := range ac.SessionAuth.RequestFields {
				if t, err := vault.ParseTemplate(f.Value); err == nil {
					names = append(names, t.FieldNames()...)
				}
			}
			if t, err := vault.ParseTemplate(ac.SessionAuth.URL); err == nil {
				names = append(names, t.FieldNames()...)
			}
		}
	}
	for k := range s.inputs {
		names = append(names, k)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		names = []string{"username", "password"}
	}
	return names
}

func (s *secretSpec) keySourceSelect() huh.Field {
	opts := []huh.Option[string]{
		huh.NewOption("generate an EC P-256 key (ES256)", sourceES256),
		huh.NewOption("generate an RSA 2048 key (RS256)", sourceRS256),
		huh.NewOption("read a PEM file", sourceFile),
	}
	if s.orig != nil {
		opts = append([]huh.Option[string]{huh.NewOption("keep the stored key"+s.storedKeyNote(), sourceKeep)}, opts...)
	}
	return huh.NewSelect[string]().Key("keySource").Title("Key").Options(opts...).Value(&s.keySource)
}

// sessionInputs are one masked input per input field the session client
// asks for ({{fields.NAME}} in its token request).
func (s *secretSpec) sessionInputs(c *common.Common) []huh.Field {
	var fields []huh.Field
	for _, f := range s.sessionFields(c) {
		p := s.inputs[f]
		if p == nil {
			p = new(string)
			s.inputs[f] = p
		}
		fields = append(fields, secretInput("field."+f, "Field "+f, "fills {{fields."+f+"}} in the client's token request", p))
	}
	return fields
}

// storedKeyNote names the stored key by algorithm and key id, the only way
// a form shows it (S-26): " (EC P-256 · key id …)".
func (s *secretSpec) storedKeyNote() string {
	switch {
	case s.storedKey != nil:
		return " (" + s.storedKey.Text() + ")"
	case s.orig != nil && s.orig.KeyID != "":
		return " (key id " + s.orig.KeyID + ")"
	}
	return ""
}

func (s *secretSpec) pathInput(k, title, desc string, p *string) *huh.Input {
	if s.orig != nil {
		desc += "; leave empty to keep the stored one"
		if k == "keyPath" && s.typ == vault.TypeClientCert {
			desc += s.storedKeyNote()
		}
	}
	return huh.NewInput().Key(k).Title(title).Description(desc).Placeholder("~/keys/client.pem").Value(p)
}

// secretInput is a masked input (S-30: secrets never echo).
func secretInput(k, title, desc string, p *string) *huh.Input {
	in := huh.NewInput().Key(k).Title(title).EchoMode(huh.EchoModePassword).Value(p)
	if desc != "" {
		in = in.Description(desc)
	}
	return in
}

// clientSelect picks an auth client of env of one type.
func clientSelect(c *common.Common, env string, typ vault.ClientType, p *string, required bool) huh.Field {
	var opts []huh.Option[string]
	if !required {
		opts = append(opts, huh.NewOption("(none)", ""))
	}
	if c.Catalog != nil {
		for _, x := range c.Catalog.ClientsIn(env) {
			if x.Type == typ {
				opts = append(opts, huh.NewOption(x.Name, x.Name))
			}
		}
	}
	if len(opts) == 0 {
		opts = append(opts, huh.NewOption("(no "+typ.Label()+" client in "+env+")", ""))
	}
	return huh.NewSelect[string]().Key("authClient").Title("Auth client").Options(opts...).Value(p).
		Validate(func(v string) error {
			if required && v == "" {
				return errors.New("choose the auth client that uses these fields")
			}
			return nil
		})
}

func (s *secretSpec) prepare(*common.Common) (change, error) {
	if err := s.check(); err != nil {
		return change{}, err
	}
	sec, val, _ := s.draft()
	typ, keySource, keyPath, certPath := s.typ, s.keySource, expandHome(s.keyPath), expandHome(s.certPath)
	editing := s.orig != nil
	if !editing && (typ == vault.TypeClientCert && (keyPath == "" || certPath == "") || typ == vault.TypePrivateKey && keySource == sourceFile && keyPath == "") {
		return change{}, &vault.ValidationError{Kind: "secret", Name: sec.Name, Field: "file", Msg: "name the PEM file(s) to read"}
	}
	verb := "Created"
	if editing {
		verb = "Saved"
	}
	return change{ok: fmt.Sprintf("%s %s %s", verb, typ.Label(), sec.Name), item: common.ItemRef{Kind: "secret", Env: sec.Env, Name: sec.Name}, run: func(ctx context.Context, v *vault.Vault) (string, error) {
		write, err := keyValue(&sec, &val, keySource, keyPath, certPath)
		if err != nil {
			return "", err
		}
		if !write {
			// Only the details changed: the stored value stays.
			_, err := v.PutSecret(ctx, sec, nil)
			return "", err
		}
		if err := sec.ValidateValue(val); err != nil {
			return "", err
		}
		_, err = v.PutSecret(ctx, sec, &val)
		return "", err
	}}, nil
}

// keyValue puts a private key or a certificate into val, generated or read
// from the named files; write is false when a key type's form gives none
// (an edit keeping the stored value). Every other type's value is the one
// the form holds.
func keyValue(sec *vault.Secret, val *vault.SecretValue, keySource, keyPath, certPath string) (write bool, err error) {
	switch sec.Type {
	case vault.TypePrivateKey:
		switch {
		case keySource == sourceES256 || keySource == sourceRS256:
			_, pemText, err := keygen.KeyPair(keySource)
			if err != nil {
				return false, err
			}
			val.PrivateKey = pemText
			sec.Generated, sec.KeyID = true, ""
		case keyPath != "":
			b, err := readPEM(keyPath)
			if err != nil {
				return false, err
			}
			val.PrivateKey, sec.KeyID = b, ""
		default:
			return false, nil
		}
	case vault.TypeClientCert:
		if certPath == "" && keyPath == "" {
			return false, nil
		}
		if val.Cert, err = readPEM(certPath); err != nil {
			return false, err
		}
		if val.PrivateKey, err = readPEM(keyPath); err != nil {
			return false, err
		}
	case vault.TypeAPIKey, vault.TypeSimple, vault.TypeOAuthToken, vault.TypeSessionAuth, vault.TypeOAuth1Token:
		// the value the form holds
	}
	return true, nil
}

// readPEM reads a key or certificate file of at most 64 KiB.
func readPEM(path string) (string, error) {
	if path == "" {
		return "", &vault.ValidationError{Kind: "secret", Field: "file", Msg: "name the PEM file to read"}
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if st.Size() > 64<<10 {
		return "", fmt.Errorf("%s is larger than 64 KiB; that is not a PEM key or certificate", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return string(b), nil
}

func expandHome(p string) string {
	p = strings.TrimSpace(p)
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if h, err := os.UserHomeDir(); err == nil {
			return h + "/" + rest
		}
	}
	return p
}
