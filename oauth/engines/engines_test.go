package engines

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// TestNewWiresEverySetting fills every Config field and checks it reaches
// the engines: every exported field of oauth.Engine is set from the vault
// or the config (a field added there later fails here until New sets it),
// the OAuth 1.0a engine shares the HTTP client, opener and timeout, and
// the sender gets its tokens and signatures from the Dispatcher.
func TestNewWiresEverySetting(t *testing.T) {
	t.Parallel()
	v := vault.NewMemory()
	client := &http.Client{}
	now := func() time.Time { return time.Unix(1, 0) }
	sleep := func(context.Context, time.Duration) error { return nil }
	cfg := &Config{HTTPClient: client, LockDir: "/locks", CallbackTimeout: time.Minute, LockTimeout: 2 * time.Minute, Now: now, Sleep: sleep}
	set := New(v, cfg)

	o2 := reflect.ValueOf(set.OAuth2).Elem()
	for i := 0; i < o2.NumField(); i++ {
		f := o2.Type().Field(i)
		if f.IsExported() && o2.Field(i).IsZero() {
			t.Errorf("New leaves oauth.Engine.%s unset: give Config a field for it", f.Name)
		}
	}
	e := set.OAuth2
	if e.Vault != v || e.HTTPClient != client || e.LockDir != "/locks" || e.CallbackTimeout != time.Minute || e.LockTimeout != 2*time.Minute ||
		e.Now().Unix() != 1 || e.Sleep(context.Background(), time.Hour) != nil {
		t.Errorf("OAuth 2.0 engine: %+v", e)
	}
	o1 := set.OAuth1
	if o1.Vault != v || o1.HTTPClient != client || o1.CallbackTimeout != time.Minute || o1.Opener == nil || o1.Now != nil {
		t.Errorf("OAuth 1.0a engine: %+v", o1)
	}
	if set.Engine.Vault != v || set.Engine.OAuth2 != oauth.Protocol(e) || set.Engine.OAuth1 != oauth.Protocol(o1) {
		t.Errorf("dispatcher: %+v", set.Engine)
	}
	if set.Sender.Vault != v || set.Sender.Engine != set.Engine {
		t.Errorf("sender: %+v", set.Sender)
	}
}

// TestOpenerHonouredEverywhere: both engines open the browser with the
// config's opener as it is when the browser opens, so an opener injected
// (or swapped) after the engines were built is the one used.
func TestOpenerHonouredEverywhere(t *testing.T) {
	t.Parallel()
	cfg := &Config{}
	set := New(vault.NewMemory(), cfg)
	var opened []string
	cfg.Opener = func(_ context.Context, u string) error { opened = append(opened, u); return nil }
	ctx := context.Background()
	if err := set.OAuth2.Opener(ctx, "https://a.example/2"); err != nil {
		t.Fatal(err)
	}
	if err := set.OAuth1.Opener(ctx, "https://a.example/1"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(opened, []string{"https://a.example/2", "https://a.example/1"}) {
		t.Errorf("opened %v", opened)
	}
	if New(vault.NewMemory(), nil).OAuth2.Opener == nil {
		t.Error("a nil config leaves the engine without an opener")
	}
}
