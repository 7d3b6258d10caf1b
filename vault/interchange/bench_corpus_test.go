package interchange_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// BenchmarkImportPostman1200 imports one collection of the corpus's Stripe,
// Fastly and Wise requests (1,200 or more) into a fresh workspace with a
// catalog on disk and a memory store: parsing, secret moving and the one
// Apply. Budget: ≤ 1 s and ≤ 100 MB a run.
func BenchmarkImportPostman1200(b *testing.B) {
	var items []json.RawMessage
	for _, f := range []string{"stripe", "fastly", "wise-api", "wise-cards", "wise-banks", "wise-mca", "wise-payouts"} {
		data, err := os.ReadFile(filepath.Join("testdata", "corpus", "postman", f+".postman_collection.json"))
		if err != nil {
			b.Fatal(err)
		}
		var c struct {
			Item []json.RawMessage `json:"item"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			b.Fatal(err)
		}
		// Each source becomes a folder, so names stay unique.
		folder, _ := json.Marshal(map[string]any{"name": f, "item": c.Item})
		items = append(items, folder)
	}
	data, _ := json.Marshal(map[string]any{
		"info": map[string]string{"name": "corpus", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
		"item": items,
	})
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		fc, err := vault.OpenFileCatalog(dir)
		if err != nil {
			b.Fatal(err)
		}
		v := vault.New(fc, vault.NewMemoryStore())
		if _, err := v.AddEnv(vault.Environment{Name: "corpus"}); err != nil {
			b.Fatal(err)
		}
		c, _ := v.Load()
		b.StartTimer()
		batch, _, err := interchange.ParsePostman(data, interchange.RequestImportOptions{Env: "corpus", Catalog: c})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Apply(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		n = len(batch.Requests)
	}
	if n < 1200 {
		b.Fatalf("only %d requests imported; the benchmark needs 1,200", n)
	}
	b.ReportMetric(float64(n), "requests")
}
