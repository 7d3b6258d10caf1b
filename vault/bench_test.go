package vault_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// benchCatalog builds a catalog of n items (30 % auth clients, 40 % secrets,
// 30 % saved requests) spread over 5 environments, with realistic fields.
func benchCatalog(n int) *vault.Catalog {
	c := vault.NewCatalog()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := now.Add(90 * 24 * time.Hour)
	envs := []string{vault.DefaultEnv, "dev", "staging", "prod", "sandbox"}
	for _, e := range envs[1:] {
		c.Environments = append(c.Environments, vault.Environment{
			ID: vault.NewID(), Name: e, Tenant: "acme",
			Variables: []vault.Variable{{Name: "BASE", Value: "https://api." + e + ".example.com"}, {Name: "TOKEN", Secret: true}}, Created: now, Updated: now,
		})
	}
	for i := range n {
		env := envs[i%len(envs)]
		meta := vault.Meta{
			ID: vault.NewID(), Name: fmt.Sprintf("item-%05d", i), Env: env, Description: "Credential for the orders service, team payments",
			Tenant: "acme", AllowedHosts: []string{"api.example.com", "*.internal.example.com"}, Created: now, Updated: now,
		}
		switch i % 10 {
		case 0, 1, 2:
			c.Clients = append(c.Clients, vault.AuthClient{
				Meta: meta, Type: vault.ClientOAuth2, Issuer: "https://auth.example.com",
				Endpoints: vault.Endpoints{Authorization: "https://auth.example.com/authorize", Token: "https://auth.example.com/oauth/token", JWKS: "https://auth.example.com/.well-known/jwks.json"},
				ClientID:  "client-" + meta.ID, AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
				Scopes: []string{"orders:read", "orders:write", "profile"}, Audience: "https://api.example.com", HasSecret: true,
				TokenParams: []vault.Param{{Key: "resource", Value: "https://api.example.com"}},
			})
		case 3, 4, 5, 6:
			meta.Expiration = &exp
			c.Secrets = append(c.Secrets, vault.Secret{
				Meta: meta, Type: vault.TypeOAuthToken, AuthClient: "item-00000",
				Scope: "orders:read profile", TokenExpires: &exp, HasRefresh: true,
			})
		default:
			c.Requests = append(c.Requests, vault.Request{
				ID: meta.ID, Name: meta.Name, Env: env, Method: "POST", URL: "{{BASE}}/v1/orders?limit=50",
				Headers: []vault.Header{{Name: "Accept", Value: "application/json"}, {Name: "X-Request-Source", Value: "authdeck"}},
				Body:    `{"item":"book","quantity":1}`, Auth: "item-00003", Created: now, Updated: now,
			})
		}
	}
	return c
}

// BenchmarkCatalogLoad measures start-up's catalog read (budget
// via README: ≤ 5 ms for 1,000 items, ≤ 50 ms for 10,000).
func BenchmarkCatalogLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			home := b.TempDir()
			data, err := json.MarshalIndent(benchCatalog(n), "", " ")
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, vault.CatalogFileName), data, 0o600); err != nil {
				b.Fatal(err)
			}
			cat, err := vault.OpenFileCatalog(home)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				c, err := cat.Load()
				if err != nil {
					b.Fatal(err)
				}
				if len(c.Clients)+len(c.Secrets)+len(c.Requests) != n {
					b.Fatal("wrong item count")
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU adds the process CPU time per operation since cpu0.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkCatalogUpdate measures one catalog change (lock, re-read, write
// atomically with fsync) at 1,000 items.
func BenchmarkCatalogUpdate(b *testing.B) {
	home := b.TempDir()
	data, _ := json.MarshalIndent(benchCatalog(1000), "", " ")
	if err := os.WriteFile(filepath.Join(home, vault.CatalogFileName), data, 0o600); err != nil {
		b.Fatal(err)
	}
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cat.Update(func(c *vault.Catalog) error { c.Settings.Theme = "dark"; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// tokenValue is what a typical stored token set weighs (a JWT access token
// plus refresh token): about 1.2 KB, stored inline in one keychain item.
var tokenValue = []byte(`{"accessToken":"` + fmt.Sprintf("%0900d", 7) + `","refreshToken":"` + fmt.Sprintf("%0200d", 9) + `","scope":"orders:read"}`)

func benchStore(b *testing.B, s vault.Store) {
	ctx := context.Background()
	big := vaulttest.RandomBytes(16 << 10)
	for _, tc := range []struct {
		name  string
		value []byte
	}{{"token", tokenValue}, {"16KiB", big}} {
		if err := s.Set(ctx, "bench/"+tc.name, tc.value); err != nil {
			b.Fatal(err)
		}
		b.Run("Get/"+tc.name, func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				if _, err := s.Get(ctx, "bench/"+tc.name); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
		b.Run("Set/"+tc.name, func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				if err := s.Set(ctx, "bench/"+tc.name, tc.value); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkKeychainSecretService measures the keychain backend on the real
// Secret Service (budget: Get ≤ 10 ms, Set ≤ 100 ms). Run it through
// .ci/with-secret-service.sh.
func BenchmarkKeychainSecretService(b *testing.B) {
	benchStore(b, vaulttest.SecretServiceStore(b, 0))
}

// BenchmarkKeychainProviders reads and writes a token-sized value through
// the keychain backend on the real Secret Service two ways, in turn within
// each iteration so both see the same load: go-keyring, which connects,
// opens a session and unlocks on every call (about seven D-Bus round trips
// a Get, five a Set), and the session kept for the process that the backend
// uses on Linux (two a Get, one a Set). It reports each one's median.
//
//	bash .ci/with-secret-service.sh go test -run '^$' -bench KeychainProviders -benchtime 200x ./vault/
func BenchmarkKeychainProviders(b *testing.B) {
	own, _ := vaulttest.SecretServiceStores(b, 0, nil)
	gk, _ := vaulttest.SecretServiceStores(b, 0, func(vault.KeyringProvider) vault.KeyringProvider { return vault.GoKeyring() })
	ctx := context.Background()
	stores := []vault.Store{own, gk}
	for _, s := range stores {
		if err := s.Set(ctx, "bench/token", tokenValue); err != nil {
			b.Fatal(err)
		}
	}
	var gets, sets [2][]float64
	for b.Loop() {
		for i, s := range stores {
			t0 := time.Now()
			if _, err := s.Get(ctx, "bench/token"); err != nil {
				b.Fatal(err)
			}
			gets[i] = append(gets[i], float64(time.Since(t0))/1e6)
			t0 = time.Now()
			if err := s.Set(ctx, "bench/token", tokenValue); err != nil {
				b.Fatal(err)
			}
			sets[i] = append(sets[i], float64(time.Since(t0))/1e6)
		}
	}
	b.ReportMetric(medianOf(gets[0]), "session-get-ms")
	b.ReportMetric(medianOf(gets[1]), "gokeyring-get-ms")
	b.ReportMetric(medianOf(sets[0]), "session-set-ms")
	b.ReportMetric(medianOf(sets[1]), "gokeyring-set-ms")
	b.ReportMetric(0, "ns/op")
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkKeychainFake measures the keychain backend's own overhead
// (layout, checksums, timeouts) over an in-memory keyring.
func BenchmarkKeychainFake(b *testing.B) {
	s, _ := newFakeKeychain(b, 0)
	benchStore(b, s)
}

// BenchmarkFileStore measures the file backend: Get from the decrypted
// cache, and Set, which encrypts the file to the vault's X25519 identity and
// replaces it atomically (the scrypt derivation, about a second by design,
// is paid once, when the vault is created or first opened).
func BenchmarkFileStore(b *testing.B) {
	s, err := vault.NewFileStore(vault.FileOptions{Dir: b.TempDir(), Passphrase: func() (string, error) { return testPass, nil }})
	if err != nil {
		b.Fatal(err)
	}
	benchStore(b, s)
}
