package ui

import (
	"errors"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/vaultpane"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

// TestVaultSwitchMovesTheEngines: after the vault pane switches the session
// to the encrypted file vault, a client-credentials token is fetched with the
// client secret of the file vault and stored there, not in the vault the
// session started with. Both vaults share one catalog, as the keychain and
// the file vault of one AUTHDECK_HOME do, so only the stores tell them apart.
func TestVaultSwitchMovesTheEngines(t *testing.T) {
	t.Parallel()
	const pass = "correct horse battery"
	dm := uitest.StartDemo(t)
	ctx := t.Context()
	file, err := local.Open(local.Options{
		Home: t.TempDir(), Backend: vault.BackendFile, FileWorkFactor: 10,
		Passphrase: func() (string, error) { return pass, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Workspace(ctx, file, dm.Server); err != nil {
		t.Fatal(err)
	}
	// The vault of the start (a keychain in real use) has the same catalog and
	// the same client secret, so a token fetched through it would work too.
	first := vault.New(file.Catalogs(), vault.NewMemoryStore())
	first.Now = file.Now
	cat := uitest.Catalog(file)
	ac, ok := cat.Client(demo.EnvDev, playground.ClientServiceBasic)
	if !ok || ac.Grant != vault.GrantClientCredentials {
		t.Fatalf("the demo workspace has no client-credentials client %q", playground.ClientServiceBasic)
	}
	creds, err := file.ClientCredentials(ctx, *ac)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.PutClient(ctx, *ac, &creds); err != nil {
		t.Fatal(err)
	}
	cfg := &engines.Config{CallbackTimeout: 30 * time.Second}
	m := New(Options{
		Vault: first, Engines: cfg, Catalog: uitest.Catalog(first), Dark: true, Env: demo.EnvDev,
		Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
		OpenFileVault: func(p string) (*vault.Vault, error) {
			if p != pass {
				return nil, errors.New("wrong passphrase")
			}
			return file, nil
		},
	})
	d := uitest.New(t, m, 120, 40)

	// The keychain stops answering: the pane offers the file vault.
	d.Send(common.VaultProblemMsg{Err: &vault.StoreError{Op: "get", Backend: vault.BackendKeychain, Key: "probe", Err: vault.ErrUnavailable}})
	d.Settle()
	if _, ok := m.Top().(*vaultpane.Model); !ok {
		t.Fatalf("top = %T, want the vault pane", m.Top())
	}
	d.Press("f")
	d.Type(pass)
	d.Press("enter")
	if m.Common().Vault != file {
		t.Fatal("the session did not switch to the file vault")
	}

	selectItem(t, d, playground.ClientServiceBasic)
	f := startFlow(t, d, m)
	d.Wait(15*time.Second, "the client-credentials flow", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("the flow failed after the switch: %v", f.Err())
	}
	tok := f.Result().AccessToken
	sec, ok := uitest.Catalog(file).Secret(demo.EnvDev, playground.ClientServiceBasic)
	if !ok || sec.Type != vault.TypeOAuthToken {
		t.Fatal("no token set was recorded in the catalog")
	}
	got, err := file.SecretValue(ctx, *sec)
	if err != nil || got.AccessToken != tok {
		t.Fatalf("the file vault does not hold the new token (err %v)", err)
	}
	if _, err := first.SecretValue(ctx, *sec); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("the vault the session switched away from holds the token set too (err %v)", err)
	}
}
