package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// S-36: the catalog parser never panics, every failure is a clear
// ErrCatalogCorrupt, and it accepts exactly what encoding/json accepts,
// decoding the same catalog (it uses a faster decoder).
func FuzzParseCatalog(f *testing.F) {
	c := NewCatalog()
	good, _ := json.MarshalIndent(c, "", " ")
	f.Add(good)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"environments":[{"name":"x","variables":[{"name":"a","secret":true}]}]}`))
	f.Add([]byte(`{"version":1,"settings":{"clipboardClear":"45s"}}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"secrets":[{"expiration":"2026-01-01T00:00:00Z","tokenExpires":null}]}`))
	f.Add([]byte(`{"version":1,"VERSION":1,"activeEnv":"\u00e9\ud800"}`))
	f.Add([]byte("{\"version\":1,\"activeEnv\":\"\xff\"} "))
	f.Add([]byte(`{"version":1} {}`))
	f.Add([]byte("{\n\"version\": 1,\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCatalog("catalog.json", data)
		var std Catalog
		stdErr := json.Unmarshal(data, &std)
		if stdErr == nil && (std.Version < 1 || std.Version > SchemaVersion) {
			stdErr = errors.New("bad version")
		}
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("parseCatalog err = %v, encoding/json err = %v", err, stdErr)
		}
		if err != nil {
			if !errors.Is(err, ErrCatalogCorrupt) {
				t.Fatalf("error %v does not wrap ErrCatalogCorrupt", err)
			}
			if !strings.Contains(err.Error(), "catalog.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		got, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("a parsed catalog does not marshal: %v", err)
		}
		want, _ := json.Marshal(&std)
		if !bytes.Equal(got, want) {
			t.Fatalf("decoded catalog differs from encoding/json's:\n got %s\nwant %s", got, want)
		}
	})
}
