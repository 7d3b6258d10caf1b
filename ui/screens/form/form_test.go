package form

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

func host(t *testing.T, c *common.Common, m *Model) (*uitest.Driver, *uitest.Host) {
	t.Helper()
	h := uitest.NewHost(c, m)
	d := uitest.New(t, h, 100, 40)
	d.Busy = saveBusy
	// An edit form reads the stored value first; on a loaded machine that
	// can outlast the driver's first quiet spell.
	d.Wait(10*time.Second, "the form to open", func() bool { return m.state != stateLoading })
	return d, h
}

// saveBusy lets a save still at work hold each step back (a loaded machine
// running the race detector can take longer than the quiet spell).
const saveBusy = 30 * time.Second

// fill types each value and presses enter after it; "" just presses enter.
func fill(d *uitest.Driver, values ...string) {
	for _, v := range values {
		if v != "" {
			d.Type(v)
		}
		d.Press("enter")
	}
}

func TestCreateAPIKeySecret(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewSecret(c, "dev", vault.TypeAPIKey)
	d, h := host(t, c, m)
	const key = "typed-key-value-for-the-test-000"
	d.Type("new-key")
	d.Press("enter")
	d.Press("enter") // description
	d.Type(key)
	if strings.Contains(d.Screen(), key) {
		t.Fatal("the key is echoed while typing (S-30)")
	}
	d.Press("enter")
	fill(d, "X-Key", "", "2030-01-01", "", "api.example.test", "")
	if h.Popped != 1 {
		t.Fatalf("the form did not close after saving; banner %q; screen:\n%s", m.Banner(), d.Screen())
	}
	// The status names the type as people do, not by its stored constant.
	said, named := "", common.ItemRef{}
	for _, msg := range d.Seen() {
		if r, ok := msg.(common.ResultMsg); ok && r.OK != "" {
			said, named = r.OK, r.Item
		}
	}
	if said != "Created API key new-key" {
		t.Errorf("the save says %q", said)
	}
	if named != (common.ItemRef{Kind: "secret", Env: "dev", Name: "new-key"}) {
		t.Errorf("the save names %+v, so the list cannot select the new secret", named)
	}
	s, ok := uitest.Catalog(v).Secret("dev", "new-key")
	if !ok {
		t.Fatal("the secret was not created")
	}
	if s.HeaderName != "X-Key" || s.Expiration == nil || s.Expiration.Year() != 2030 || len(s.AllowedHosts) != 1 {
		t.Errorf("secret = %+v", s)
	}
	val, err := v.SecretValue(t.Context(), *s)
	if err != nil || val.Key != key {
		t.Errorf("stored value wrong (err %v)", err)
	}
}

func TestFieldErrorsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typed   []string
		want    string
		stuckOn string
	}{
		{"empty name", []string{""}, "is required", "Name"},
		{"slash in name", []string{"a/b"}, `must not contain "/"`, "Name"},
		{"taken name", []string{"weather-key"}, "already exists", "Name"},
		{"bad header", []string{"ok-name", "", "k", "Bad Header"}, "not a valid HTTP header name", "Header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Each run its own Common: the host writes its size.
			c := uitest.NewCommon(uitest.Fixture())
			m := NewSecret(c, "dev", vault.TypeAPIKey)
			d, h := host(t, c, m)
			fill(d, tt.typed...)
			s := d.Screen()
			if !strings.Contains(s, tt.want) {
				t.Errorf("screen lacks %q:\n%s", tt.want, s)
			}
			if f := m.Form().GetFocusedField(); f == nil || !strings.EqualFold(fieldTitle(f.GetKey()), tt.stuckOn) {
				t.Errorf("focus moved to %v, want it to stay on %s", f.GetKey(), tt.stuckOn)
			}
			if h.Popped != 0 {
				t.Error("the form closed")
			}
		})
	}
}

func fieldTitle(key string) string {
	switch key {
	case "name":
		return "Name"
	case "headerName":
		return "Header"
	}
	return key
}

// TestSaveFailureLeavesVaultAsItWas covers S-37: a failed save stores
// nothing and keeps the form open with the reason.
func TestSaveFailureLeavesVaultAsItWas(t *testing.T) {
	t.Parallel()
	base := uitest.Fixture()
	failing := vaulttest.NewFailingStore(base.Store(), 1)
	v := vault.New(base.Catalogs(), failing)
	c := uitest.NewCommon(v)
	m := NewSecret(c, "dev", vault.TypeSimple)
	d, h := host(t, c, m)
	fill(d, "new-basic", "", "alice", "pw-for-the-test", "", "", "")
	if h.Popped != 0 {
		t.Fatal("the form closed although saving failed")
	}
	if !strings.Contains(m.Banner(), "vault") {
		t.Errorf("banner = %q", m.Banner())
	}
	if _, ok := uitest.Catalog(v).Secret("dev", "new-basic"); ok {
		t.Error("the catalog lists the secret after a failed save")
	}
	if m.Form() == nil || m.Capturing() == false {
		t.Error("the form did not reopen for another try")
	}
}

func TestEditSecretKeepsTheStoredValue(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	sec, _ := c.Catalog.Secret("dev", "weather-key")
	m := EditSecret(c, *sec)
	d, h := host(t, c, m)
	if strings.Contains(d.Screen(), uitest.FixtureAPIKey) {
		t.Fatal("the edit form shows the stored key (S-30)")
	}
	d.Press("enter") // name unchanged
	d.Type("new description")
	d.Press("enter")
	fill(d, "", "", "", "", "", "", "")
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	s, _ := uitest.Catalog(v).Secret("dev", "weather-key")
	if s.Description != "third-party weather APInew description" && s.Description != "new description" {
		t.Errorf("description = %q", s.Description)
	}
	val, err := v.SecretValue(t.Context(), *s)
	if err != nil || val.Key != uitest.FixtureAPIKey {
		t.Errorf("edit changed the key (err %v)", err)
	}
}

func TestClientFormRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := NewClient(c, "dev")
	d, _ := host(t, c, m)
	fill(d, "new-client", "", "") // name, protocol (OAuth 2.0), description
	d.Type("http://login.example.test")
	d.Press("enter")
	if s := d.Screen(); !strings.Contains(s, "plain http on a non-loopback host") {
		t.Errorf("S-13 message missing at the issuer field:\n%s", s)
	}
}

func TestCreateClientCredentialsClient(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewClient(c, "dev")
	d, h := host(t, c, m)
	fill(d, "svc", "", "")                                            // name, protocol, description
	fill(d, "https://login.example.test", "", "", "", "", "", "", "") // issuer + endpoints
	fill(d, "svc-id", "", "", "")                                     // client id, grant, deprecated?, auth method
	const secret = "client-secret-for-the-form-test"
	d.Type(secret)
	if strings.Contains(d.Screen(), secret) {
		t.Fatal("the client secret is echoed (S-30)")
	}
	d.Press("enter")
	fill(d, "api:read", "", "", "", "", "", "", "2m", "", "") // scopes … refresh skew, token method, insecure
	fill(d, "", "", "")                                       // DPoP, PAR, request objects: no
	fill(d, "", "", "", "")                                   // metadata
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	ac, err := v.Client("dev", "svc")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Grant != vault.GrantClientCredentials || ac.AuthMethod != vault.AuthClientSecretBasic || !ac.HasSecret || ac.Scopes[0] != "api:read" || ac.RefreshSkew.Std() != 2*time.Minute {
		t.Errorf("client = %+v", ac)
	}
	creds, err := v.ClientCredentials(t.Context(), ac)
	if err != nil || creds.ClientSecret != secret {
		t.Errorf("stored secret wrong (err %v)", err)
	}
}

func TestCreateEnvironment(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewEnvironment(c)
	d, h := host(t, c, m)
	fill(d, "dev")
	if !strings.Contains(d.Screen(), "already exists") {
		t.Errorf("duplicate environment accepted:\n%s", d.Screen())
	}
	d.Press("backspace", "backspace", "backspace")
	fill(d, "qa", "acme-qa", "")
	if h.Popped != 1 {
		t.Fatalf("not saved:\n%s", d.Screen())
	}
	e, ok := uitest.Catalog(v).Env("qa")
	if !ok || e.Tenant != "acme-qa" {
		t.Errorf("env = %+v", e)
	}
}

func TestFieldError(t *testing.T) {
	t.Parallel()
	ve := &vault.ValidationError{Kind: "auth client", Name: "x", Field: "endpoints.token", Msg: "is required"}
	// The message names the field: shown under its group, "is required"
	// alone would not say which one.
	if err := fieldError(ve, "endpoints.token"); err == nil || err.Error() != "token is required" {
		t.Errorf("fieldError = %v", err)
	}
	if err := fieldError(ve, "issuer"); err != nil {
		t.Errorf("another field's error leaked: %v", err)
	}
	urlErr := &vault.ValidationError{Kind: "auth client", Name: "x", Msg: `issuer: "ftp://x" is not http`}
	if err := fieldError(urlErr, "issuer"); err == nil || !strings.Contains(err.Error(), "ftp") {
		t.Errorf("URL error not attributed: %v", err)
	}
	if fieldError(errors.New("plain"), "name") != nil {
		t.Error("a non-validation error was attributed")
	}
	if fieldOf(ve) != "endpoints.token" || fieldOf(urlErr) != "issuer" {
		t.Error("fieldOf")
	}
}
