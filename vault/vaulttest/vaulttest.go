// Package vaulttest is the conformance suite every vault.Store backend must
// pass, plus the test doubles built on vault.Store (a counting store, a store
// that fails a chosen write), a fake OS keyring and a real Secret Service
// helper for tests of code built on the keychain backend.
package vaulttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Itemizer is implemented by stores that can list what they keep for a key
// (a keychain header and its chunks, a file vault entry), so the suite can
// check that Delete leaves nothing behind.
type Itemizer interface {
	Items(ctx context.Context, key string) ([]string, error)
}

// keyLister is implemented by vault.MemoryStore.
type keyLister interface {
	Keys() []string
}

// Run runs the conformance suite against stores made by newStore. Every
// subtest gets its own store from newStore, and subtests run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) vault.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, vault.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"EmptyValue", testEmptyValue},
		{"BinaryValue", testBinaryValue},
		{"Value16KiB", testValue16KiB},
		{"RSA4096PrivateKeyPEM", testRSAKey},
		{"ManyKeys", testManyKeys},
		{"Concurrent", testConcurrent},
		{"DeleteRemovesEveryChunk", testDeleteRemovesEveryChunk},
		{"ContextCancelled", testContextCancelled},
		{"OddKeyNames", testOddKeyNames},
		{"ValuesAreCopies", testValuesAreCopies},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// ctxFor bounds a subtest's store calls so a hung backend fails the test
// instead of hanging it.
func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustSet(t *testing.T, s vault.Store, key string, value []byte) {
	t.Helper()
	if err := s.Set(ctxFor(t), key, value); err != nil {
		t.Fatalf("Set(%q, %d bytes): %v", key, len(value), err)
	}
}

// mustGetEqual checks the stored value without printing it: suite values
// stand in for secrets, which never belong in test output.
func mustGetEqual(t *testing.T, s vault.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(ctxFor(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) returned %d bytes that differ from the %d bytes stored (first difference at byte %d)", key, len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("%s: err = %v, want one wrapping vault.ErrNotFound", what, err)
	}
	var se *vault.StoreError
	if !errors.As(err, &se) {
		t.Fatalf("%s: err = %T, want a *vault.StoreError", what, err)
	}
}

// RandomBytes returns n random bytes.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func testRoundTrip(t *testing.T, s vault.Store) {
	switch s.Backend() {
	case vault.BackendKeychain, vault.BackendFile, vault.BackendMemory:
	default:
		t.Errorf("Backend() = %q, want keychain, file or memory", s.Backend())
	}
	v := []byte("api-key-" + fmt.Sprintf("%x", RandomBytes(8)))
	mustSet(t, s, "secret/roundtrip", v)
	mustGetEqual(t, s, "secret/roundtrip", v)
}

func testOverwrite(t *testing.T, s vault.Store) {
	const key = "secret/overwrite"
	// Small → large (chunked in the keychain) → small → medium → small, so
	// every transition between inline and chunked layouts is crossed.
	for i, size := range []int{10, 16 << 10, 7, 5000, 3, 12 << 10, 20 << 10} {
		v := RandomBytes(size)
		mustSet(t, s, key, v)
		mustGetEqual(t, s, key, v)
		if it, ok := s.(Itemizer); ok && size < 100 {
			items, err := it.Items(ctxFor(t), key)
			if err != nil {
				t.Fatalf("step %d: Items: %v", i, err)
			}
			if len(items) != 1 {
				t.Fatalf("step %d: after overwriting with a %d-byte value the store keeps %d items for the key (%q), want 1", i, size, len(items), items)
			}
		}
	}
}

func testDelete(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	keep := []byte("other value")
	mustSet(t, s, "secret/keep", keep)
	mustSet(t, s, "secret/delete", []byte("to be deleted"))
	if err := s.Delete(ctx, "secret/delete"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Get(ctx, "secret/delete")
	wantNotFound(t, err, "Get after Delete")
	wantNotFound(t, s.Delete(ctx, "secret/delete"), "second Delete")
	mustGetEqual(t, s, "secret/keep", keep)
}

func testNotFound(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	_, err := s.Get(ctx, "secret/missing")
	wantNotFound(t, err, "Get of a missing key")
	var se *vault.StoreError
	errors.As(err, &se)
	if se.Key != "secret/missing" || se.Op != "get" || se.Backend != s.Backend() {
		t.Errorf("StoreError = {Op:%q Backend:%q Key:%q}, want {get %s secret/missing}", se.Op, se.Backend, se.Key, s.Backend())
	}
	for _, other := range []error{vault.ErrLocked, vault.ErrUnavailable, vault.ErrTimeout, vault.ErrCorrupt} {
		if errors.Is(err, other) {
			t.Errorf("not-found error also matches %v", other)
		}
	}
	wantNotFound(t, s.Delete(ctx, "secret/missing"), "Delete of a missing key")
}

func testEmptyValue(t *testing.T, s vault.Store) {
	for _, v := range [][]byte{{}, nil} {
		mustSet(t, s, "secret/empty", v)
		got, err := s.Get(ctxFor(t), "secret/empty")
		if err != nil {
			t.Fatalf("Get of an empty value: %v", err)
		}
		if len(got) != 0 {
			t.Fatalf("Get of an empty value returned %d bytes", len(got))
		}
	}
}

func testBinaryValue(t *testing.T, s vault.Store) {
	var v []byte
	for range 3 {
		for b := range 256 {
			v = append(v, byte(b))
		}
	}
	v = append(v, 0, 0, 0xff, 0xfe, '\n', '\r', 0)
	mustSet(t, s, "secret/binary", v)
	mustGetEqual(t, s, "secret/binary", v)
	short := []byte{0, 0xc3, 0x28, 0x80}
	mustSet(t, s, "secret/binary-short", short)
	mustGetEqual(t, s, "secret/binary-short", short)
}

func testValue16KiB(t *testing.T, s vault.Store) {
	v := RandomBytes(16 << 10)
	mustSet(t, s, "secret/16k", v)
	mustGetEqual(t, s, "secret/16k", v)
}

var (
	rsaOnce sync.Once
	rsaPEM  []byte
	rsaErr  error
)

// RSA4096PEM returns a PEM-encoded RSA-4096 private key generated once per
// test binary.
func RSA4096PEM() ([]byte, error) {
	rsaOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 4096)
		if err != nil {
			rsaErr = err
			return
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			rsaErr = err
			return
		}
		rsaPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	return rsaPEM, rsaErr
}

func testRSAKey(t *testing.T, s vault.Store) {
	v, err := RSA4096PEM()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) < 3000 {
		t.Fatalf("the RSA-4096 PEM is only %d bytes", len(v))
	}
	mustSet(t, s, "client/rsa4096", v)
	mustGetEqual(t, s, "client/rsa4096", v)
	if _, err := x509.ParsePKCS8PrivateKey(mustPEM(t, s, "client/rsa4096")); err != nil {
		t.Fatalf("the stored key no longer parses: %v", err)
	}
}

func mustPEM(t *testing.T, s vault.Store, key string) []byte {
	t.Helper()
	got, err := s.Get(ctxFor(t), key)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(got)
	if block == nil {
		t.Fatal("stored value is no longer PEM")
	}
	return block.Bytes
}

func testManyKeys(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	const n = 60
	vals := make(map[string][]byte, n)
	for i := range n {
		key := fmt.Sprintf("secret/many-%03d", i)
		size := 16 + i*7
		if i%15 == 0 {
			size = 6000 // a few chunked ones among them
		}
		vals[key] = RandomBytes(size)
		mustSet(t, s, key, vals[key])
	}
	for key, v := range vals {
		mustGetEqual(t, s, key, v)
	}
	for key := range vals {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete(%q): %v", key, err)
		}
	}
	for key := range vals {
		_, err := s.Get(ctx, key)
		wantNotFound(t, err, "Get after deleting "+key)
	}
}

func testConcurrent(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	const shared = "secret/shared"
	// Writers of the shared key pick among these values; a reader must see
	// one of them whole, never a mix.
	candidates := [][]byte{RandomBytes(40), RandomBytes(9000), RandomBytes(4000), RandomBytes(12)}
	mustSet(t, s, shared, candidates[0])

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("secret/own-%d", g)
			for i := range 4 {
				v := RandomBytes(30 + 500*i)
				if err := s.Set(ctx, own, v); err != nil {
					errs <- fmt.Errorf("goroutine %d: Set(%s): %w", g, own, err)
					return
				}
				got, err := s.Get(ctx, own)
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: Get(%s): %w", g, own, err)
					return
				}
				if !bytes.Equal(got, v) {
					errs <- fmt.Errorf("goroutine %d: Get(%s) returned another value than the one just set", g, own)
					return
				}
				if g%2 == 0 {
					if err := s.Set(ctx, shared, candidates[(g+i)%len(candidates)]); err != nil {
						errs <- fmt.Errorf("goroutine %d: Set(shared): %w", g, err)
						return
					}
				} else {
					got, err := s.Get(ctx, shared)
					if err != nil {
						errs <- fmt.Errorf("goroutine %d: Get(shared): %w", g, err)
						return
					}
					if !slices.ContainsFunc(candidates, func(c []byte) bool { return bytes.Equal(c, got) }) {
						errs <- fmt.Errorf("goroutine %d: Get(shared) returned %d bytes that are none of the values written (a torn read)", g, len(got))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testDeleteRemovesEveryChunk(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	const key = "secret/chunked"
	v := RandomBytes(20 << 10)
	mustSet(t, s, key, v)
	// Overwrite once so both keychain chunk slots have been used.
	v = RandomBytes(18 << 10)
	mustSet(t, s, key, v)
	list := func() []string {
		t.Helper()
		switch x := s.(type) {
		case Itemizer:
			items, err := x.Items(ctx, key)
			if err != nil {
				t.Fatalf("Items: %v", err)
			}
			return items
		case keyLister:
			var out []string
			for _, k := range x.Keys() {
				if k == key || strings.HasPrefix(k, key+"#") {
					out = append(out, k)
				}
			}
			return out
		}
		t.Skipf("%T cannot list what it keeps for a key", s)
		return nil
	}
	if items := list(); len(items) == 0 {
		t.Fatal("the store reports no items for a key it holds")
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if items := list(); len(items) != 0 {
		t.Fatalf("after Delete the store still keeps %d items for the key: %q", len(items), items)
	}
}

func testContextCancelled(t *testing.T, s vault.Store) {
	old := []byte("value before the cancelled calls")
	mustSet(t, s, "secret/ctx", old)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"cancelled": cancelled, "deadline exceeded": expired} {
		_, err := s.Get(ctx, "secret/ctx")
		wantTimeout(t, err, name+" Get")
		wantTimeout(t, s.Set(ctx, "secret/ctx", []byte("new value")), name+" Set")
		wantTimeout(t, s.Delete(ctx, "secret/ctx"), name+" Delete")
	}
	mustGetEqual(t, s, "secret/ctx", old)
}

func wantTimeout(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, vault.ErrTimeout) {
		t.Fatalf("%s: err = %v, want one wrapping vault.ErrTimeout", what, err)
	}
	var se *vault.StoreError
	if !errors.As(err, &se) {
		t.Fatalf("%s: err = %T, want a *vault.StoreError", what, err)
	}
}

// OddKeys are key names with characters that need care in keychains
// (separators, escapes, quotes, non-ASCII).
var OddKeys = []string{
	"with space",
	"slash/and\\backslash",
	"hash#a0",
	"percent%23",
	"colon:semi;comma,",
	`quotes"and'apostrophes`,
	"ünïcødé-鍵-🔑",
	"$(not a command)`x`",
	"dots...end.",
	"-leading-dash",
}

func testOddKeyNames(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	vals := map[string][]byte{}
	for i, k := range OddKeys {
		vals[k] = RandomBytes(20 + i)
		mustSet(t, s, k, vals[k])
	}
	// "hash" stored chunked must not collide with the odd key "hash#a0".
	vals["hash"] = RandomBytes(8000)
	mustSet(t, s, "hash", vals["hash"])
	for k, v := range vals {
		mustGetEqual(t, s, k, v)
	}
	for k := range vals {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete(%q): %v", k, err)
		}
		_, err := s.Get(ctx, k)
		wantNotFound(t, err, "Get after deleting "+k)
	}
}

func testValuesAreCopies(t *testing.T, s vault.Store) {
	v := []byte("original")
	mustSet(t, s, "secret/copy", v)
	v[0] = 'X'
	mustGetEqual(t, s, "secret/copy", []byte("original"))
	got, err := s.Get(ctxFor(t), "secret/copy")
	if err != nil {
		t.Fatal(err)
	}
	got[0] = 'Y'
	mustGetEqual(t, s, "secret/copy", []byte("original"))
}
