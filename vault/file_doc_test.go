package vault

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// docSeeds are vault documents of the form authdeck writes and of others
// the general decoder reads or refuses.
func docSeeds(t testing.TB) [][]byte {
	t.Helper()
	written, err := encodeVault("vault.age", map[string][]byte{
		"secret/0123abcd": []byte("value"), "client/x/secret": {}, "bin": {0, 1, 2, 0xff}, "a<b>&c": []byte("escaped key"),
	}, maxFileVaultDoc)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{
		written,
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"dmFsdWU="}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{}}`),
		[]byte(`{"format":"authdeck-vault","version":1}`),
		[]byte(" { \"values\" : { \"k\" : \"dg==\" , \"k\" : \"dw==\" } ,\n\"version\":1,\t\"format\":\"authdeck-vault\" }\r\n"),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":null}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":[1,2]}}`),
		[]byte(`{"format":"authdeck-vault","version":01,"values":{}}`),
		[]byte(`{"format":"authdeck-vault","version":1.0,"values":{}}`),
		[]byte(`{"format":"authdeck-vault","version":10000000000,"values":{}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"dmFsdWU"}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"!!"}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"dg==",}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{"k\u0041":"dg=="}}`),
		[]byte(`{"Format":"authdeck-vault","version":1,"values":{}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{},"values":{"k":"dg=="}}`),
		[]byte(`{"format":"authdeck-vault","version":1,"values":{}} {}`),
		[]byte(`{"format":"authdeck-vault","version":2}`),
		[]byte(`{}`),
		[]byte("{\n"),
	}
}

// The fast reading of the vault document agrees with the general decoder on
// every document it reads, and reads what the file vault writes.
func FuzzScanVaultDoc(f *testing.F) {
	for _, s := range docSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		format, version, vals, ok := scanVaultDoc(data)
		if !ok {
			return
		}
		doc, err := decodeVaultDoc("vault.age", data)
		if err != nil {
			t.Fatalf("the scan read %q, the general decoder refuses it: %v", data, err)
		}
		if format != doc.Format || version != doc.Version {
			t.Fatalf("scan: format %q version %d; decoder: format %q version %d", format, version, doc.Format, doc.Version)
		}
		// Each value read on its own (the first look, from the document)
		// is the decoder's, and so is the map made after.
		for k, want := range doc.Values {
			_, _, one, _ := scanVaultDoc(data)
			got, found := one.get(k)
			if !found || !bytes.Equal(got, want) || got == nil || cap(got) != len(got) {
				t.Fatalf("value %q read alone: %q (found %v), decoder: %q", k, got, found, want)
			}
		}
		if _, found := vals.get("\x00not a key"); found {
			t.Fatal("a key that is not there is found")
		}
		all := vals.all()
		if all == nil || !maps.EqualFunc(all, doc.Values, bytes.Equal) {
			t.Fatalf("scan: values %q; decoder: %q", all, doc.Values)
		}
		for k, v := range all {
			if v == nil || cap(v) != len(v) {
				t.Fatalf("value %q: nil or with room past its end (len %d cap %d)", k, len(v), cap(v))
			}
		}
	})
}

// What the file vault writes is read by the fast scan (keys of ASCII
// without <, > or &, as authdeck's are), and parses to the same values.
func TestScanVaultDocReadsWrittenDocuments(t *testing.T) {
	vals := map[string][]byte{}
	for i := range 500 {
		vals[fmt.Sprintf("secret/%016x", i*7919)] = bytes.Repeat([]byte{byte(i)}, i%70)
	}
	vals["client/0123456789abcdef/secret"] = []byte("s3cr3t")
	plain, err := encodeVault("vault.age", vals, maxFileVaultDoc)
	if err != nil {
		t.Fatal(err)
	}
	format, version, doc, ok := scanVaultDoc(plain)
	if !ok {
		t.Fatal("the scan does not read a document the file vault wrote")
	}
	if format != fileFormat || version != fileVersion {
		t.Fatalf("format %q version %d", format, version)
	}
	// The first look reads the value from the document; the second makes
	// the map.
	if v, ok := doc.get("client/0123456789abcdef/secret"); !ok || string(v) != "s3cr3t" || doc.m != nil {
		t.Fatalf("the first look: %q %v (map made: %v)", v, ok, doc.m != nil)
	}
	if v, ok := doc.get("secret/0000000000001eef"); !ok || !bytes.Equal(v, vals["secret/0000000000001eef"]) || doc.m == nil {
		t.Fatalf("the second look: %q %v (map made: %v)", v, ok, doc.m != nil)
	}
	got := doc.all()
	if !maps.EqualFunc(got, vals, bytes.Equal) {
		t.Fatal("the scan read other values than were written")
	}
	// Appending to one value never changes another (they share one array).
	k := "secret/0000000000000000"
	_ = append(got[k], 'x', 'y', 'z')
	if !maps.EqualFunc(got, vals, bytes.Equal) {
		t.Fatal("appending to a value changed another")
	}
}

// Documents the scan leaves to the general decoder still parse, or fail
// with ErrCorrupt, the file's name and the position.
func TestParseVaultDocFallsBack(t *testing.T) {
	cases := []struct {
		doc  string
		want map[string][]byte
		err  string
	}{
		{doc: `{"format":"authdeck-vault","version":1,"values":{"k":null}}`, want: map[string][]byte{"k": {}}},
		{doc: `{"format":"authdeck-vault","version":1,"values":{"a\u003cb":"dg=="}}`, want: map[string][]byte{"a<b": []byte("v")}},
		{doc: `{"format":"authdeck-vault","version":1,"values":{"k":[118]}}`, want: map[string][]byte{"k": []byte("v")}},
		{doc: `{"format":"authdeck-vault","version":1,"values":{"k":"dg=="}}`, want: map[string][]byte{"k": []byte("v")}},
		{doc: `{"format":"authdeck-vault","version":1}`, want: map[string][]byte{}},
		{doc: "{\"format\":\"authdeck-vault\",\n\"version\":1,\n\"values\":{\"k\":\"dg==\",}}", err: "line 3"},
		{doc: `{"format":"authdeck-vault","version":1,"values":{"k":"!!"}}`, err: "vault.age"},
		{doc: `{"format":"other","version":1,"values":{}}`, err: `format "other"`},
		{doc: `{"format":"authdeck-vault","version":2,"values":{}}`, err: "version 2"},
		{doc: `{"format":"authdeck-vault","version":1,"values":{}} x`, err: "vault.age"},
	}
	for _, c := range cases {
		got, err := parseVaultDoc("vault.age", []byte(c.doc), maxFileVaultDoc)
		if c.err != "" {
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "vault.age") {
				t.Errorf("%s: error %v, want ErrCorrupt naming vault.age and %q", c.doc, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.doc, err)
			continue
		}
		if !maps.EqualFunc(got.all(), c.want, bytes.Equal) {
			t.Errorf("%s: got %q, want %q", c.doc, got.all(), c.want)
		}
		for k, v := range got.all() {
			if v == nil {
				t.Errorf("%s: value %q is nil", c.doc, k)
			}
		}
	}
}
