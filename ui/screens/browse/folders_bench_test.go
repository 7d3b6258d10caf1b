package browse

import (
	"fmt"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// BenchmarkFoldRequestTree1000: folding a folder of a 1,000-request
// environment (40 folders of 25, each with a sub-folder) rebuilds the tree
// and the list, then draws a frame:
//
//	go test -run '^$' -bench BenchmarkFoldRequestTree1000 ./ui/screens/browse
func BenchmarkFoldRequestTree1000(b *testing.B) {
	v := uitest.Fixture()
	batch := vault.Batch{}
	for i := range 1000 {
		folder := []string{fmt.Sprintf("folder-%02d", i%40)}
		if i%2 == 1 {
			folder = append(folder, "nested")
		}
		batch.Requests = append(batch.Requests, vault.Request{Name: fmt.Sprintf("req-%04d", i), Env: "dev", Method: "GET", URL: "https://api.example.test/x", Folder: folder})
	}
	if _, err := v.Apply(b.Context(), batch); err != nil {
		b.Fatal(err)
	}
	c := uitest.NewCommon(v)
	m := New(c)
	m.SetSize(120, 37)
	m.Update(common.CatalogMsg{Catalog: c.Catalog})
	id := folderID([]string{"folder-00"})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m.fold(id, i%2 == 0)
		_ = m.View()
	}
}
