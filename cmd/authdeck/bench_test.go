package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// BenchmarkSecretList1000 runs `secret list` (text and --json) in-process over
// 1,000 secrets: the catalog-only path that must never touch the store.
func BenchmarkSecretList1000(b *testing.B) {
	mem := vault.NewMemoryStore()
	cs := vaulttest.NewCountingStore(mem)
	v := vault.New(vault.NewMemoryCatalog(), cs)
	batch := vault.Batch{}
	for i := range 1000 {
		exp := testNow.Add(time.Duration(i-500) * 24 * time.Hour)
		batch.Secrets = append(batch.Secrets, vault.SecretItem{
			Secret: vault.Secret{Meta: vault.Meta{Name: fmt.Sprintf("secret-%04d", i), Env: vault.DefaultEnv, Description: "benchmark item", Expiration: &exp}, Type: vault.TypeAPIKey, HeaderName: "X-Api-Key"},
			Value:  vault.SecretValue{Key: strings.Repeat("k", 40)},
		})
	}
	if _, err := v.Apply(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	calls := cs.Calls()
	for _, args := range [][]string{{"secret", "list"}, {"secret", "list", "--json"}} {
		b.Run(strings.Join(args[1:], "-"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a := &App{
					IO:        IOStreams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, InFd: -1},
					Getenv:    func(string) string { return "" },
					Now:       func() time.Time { return testNow },
					OpenVault: func(*App) (*vault.Vault, error) { return v, nil },
				}
				if code := a.Run(args); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
	if cs.Calls() != calls {
		b.Fatal("listing touched the store")
	}
}
