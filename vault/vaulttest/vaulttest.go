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
		{"Batch", testBatch},
		{"BatchUndo", testBatchUndo},
		{"BatchRefusesRepeatedKey", testBatchRepeatedKey},
		{"BatchConcurrent", testBatchConcurrent},
		{"BatchContextCancelled", testBatchContextCancelled},
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
	// Writers of the shared key pick among these values; a reader must see
	// one of them whole, never a mix.
	candidates := [][]byte{RandomBytes(40), RandomBytes(9000), RandomBytes(4000), RandomBytes(12)}
	mustSet(t, s, sharedKey, candidates[0])

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 6 {
		wg.Go(func() {
			for i := range 4 {
				if err := concurrentStep(ctx, s, g, i, candidates); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// sharedKey is the key every goroutine of testConcurrent writes or reads.
const sharedKey = "secret/shared"

// concurrentStep is goroutine g's step i: write and read back its own key,
// then write the shared key (even g) or read it whole (odd g).
func concurrentStep(ctx context.Context, s vault.Store, g, i int, candidates [][]byte) error {
	own := fmt.Sprintf("secret/own-%d", g)
	v := RandomBytes(30 + 500*i)
	if err := s.Set(ctx, own, v); err != nil {
		return fmt.Errorf("goroutine %d: Set(%s): %w", g, own, err)
	}
	got, err := s.Get(ctx, own)
	if err != nil {
		return fmt.Errorf("goroutine %d: Get(%s): %w", g, own, err)
	}
	if !bytes.Equal(got, v) {
		return fmt.Errorf("goroutine %d: Get(%s) returned another value than the one just set", g, own)
	}
	if g%2 == 0 {
		if err := s.Set(ctx, sharedKey, candidates[(g+i)%len(candidates)]); err != nil {
			return fmt.Errorf("goroutine %d: Set(shared): %w", g, err)
		}
		return nil
	}
	got, err = s.Get(ctx, sharedKey)
	if err != nil {
		return fmt.Errorf("goroutine %d: Get(shared): %w", g, err)
	}
	if !slices.ContainsFunc(candidates, func(c []byte) bool { return bytes.Equal(c, got) }) {
		return fmt.Errorf("goroutine %d: Get(shared) returned %d bytes that are none of the values written (a torn read)", g, len(got))
	}
	return nil
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

func mustApply(t *testing.T, s vault.Store, changes []vault.Change) []vault.Change {
	t.Helper()
	undo, err := s.Apply(ctxFor(t), changes)
	if err != nil {
		t.Fatalf("Apply(%d changes): %v", len(changes), err)
	}
	return undo
}

// snapshot reads keys from s: the value of each, or nil when it holds none.
func snapshot(t *testing.T, s vault.Store, keys []string) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, err := s.Get(ctxFor(t), k)
		switch {
		case err == nil:
			if v == nil {
				v = []byte{} // found, empty: nil stands for no value here
			}
			out[k] = v
		case errors.Is(err, vault.ErrNotFound):
			out[k] = nil
		default:
			t.Fatalf("Get(%q): %v", k, err)
		}
	}
	return out
}

func sameSnapshot(t *testing.T, got, want map[string][]byte, what string) {
	t.Helper()
	for k, w := range want {
		g := got[k]
		switch {
		case (w == nil) != (g == nil):
			t.Fatalf("%s: key %q holds a value: %v, want %v", what, k, g != nil, w != nil)
		case !bytes.Equal(g, w):
			t.Fatalf("%s: key %q holds %d bytes that differ from the %d expected", what, k, len(g), len(w))
		}
	}
}

// testBatch: one batch sets new and existing keys (small, chunk-sized,
// empty), deletes existing and missing ones, and every change lands.
func testBatch(t *testing.T, s vault.Store) {
	mustSet(t, s, "secret/b-keep", []byte("untouched"))
	mustSet(t, s, "secret/b-replace", RandomBytes(9000))
	mustSet(t, s, "secret/b-delete", []byte("to be deleted"))
	mustSet(t, s, "secret/b-delete-big", RandomBytes(12<<10))
	if undo := mustApply(t, s, nil); len(undo) != 0 {
		t.Fatalf("an empty batch returned %d undo changes", len(undo))
	}
	want := map[string][]byte{
		"secret/b-keep":       []byte("untouched"),
		"secret/b-replace":    RandomBytes(40),
		"secret/b-new":        RandomBytes(16 << 10),
		"secret/b-empty":      {},
		"secret/b-binary":     {0, 0xff, '\n', 0},
		"secret/b-delete":     nil,
		"secret/b-delete-big": nil,
		"secret/b-missing":    nil,
	}
	changes := []vault.Change{
		{Key: "secret/b-replace", Value: want["secret/b-replace"]},
		{Key: "secret/b-new", Value: want["secret/b-new"]},
		{Key: "secret/b-empty", Value: nil},
		{Key: "secret/b-binary", Value: want["secret/b-binary"]},
		{Key: "secret/b-delete", Delete: true},
		{Key: "secret/b-delete-big", Delete: true},
		{Key: "secret/b-missing", Delete: true},
	}
	undo := mustApply(t, s, changes)
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	got := snapshot(t, s, keys)
	if v := got["secret/b-empty"]; v == nil || len(v) != 0 {
		t.Fatal("the empty value set in the batch is missing or not empty")
	}
	got["secret/b-empty"] = []byte{}
	sameSnapshot(t, got, want, "after the batch")
	// The delete of a key that held nothing changed nothing, so it has no undo.
	if len(undo) != len(changes)-1 {
		t.Fatalf("the batch returned %d undo changes, want %d", len(undo), len(changes)-1)
	}
	if it, ok := s.(Itemizer); ok {
		for _, k := range []string{"secret/b-delete", "secret/b-delete-big", "secret/b-missing"} {
			items, err := it.Items(ctxFor(t), k)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 0 {
				t.Fatalf("after the batch deleted %q the store keeps %q", k, items)
			}
		}
	}
}

// testBatchUndo: applying what a batch returns puts every key back as it
// was: previous values restored, new keys removed, deleted keys back.
func testBatchUndo(t *testing.T, s vault.Store) {
	keys := []string{"secret/u-a", "secret/u-big", "secret/u-del", "secret/u-new", "secret/u-none"}
	mustSet(t, s, "secret/u-a", []byte("first a"))
	mustSet(t, s, "secret/u-big", RandomBytes(10<<10))
	mustSet(t, s, "secret/u-del", RandomBytes(7000))
	before := snapshot(t, s, keys)
	undo := mustApply(t, s, []vault.Change{
		{Key: "secret/u-a", Value: []byte("second a")},
		{Key: "secret/u-big", Value: []byte("now small")},
		{Key: "secret/u-del", Delete: true},
		{Key: "secret/u-new", Value: RandomBytes(5000)},
		{Key: "secret/u-none", Delete: true},
	})
	redo := mustApply(t, s, undo)
	sameSnapshot(t, snapshot(t, s, keys), before, "after applying the undo")
	if it, ok := s.(Itemizer); ok {
		items, err := it.Items(ctxFor(t), "secret/u-new")
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 0 {
			t.Fatalf("the undone new key leaves %q behind", items)
		}
	}
	// The undo of the undo is the batch again.
	mustApply(t, s, redo)
	got := snapshot(t, s, keys)
	if string(got["secret/u-a"]) != "second a" || got["secret/u-del"] != nil || got["secret/u-new"] == nil {
		t.Fatal("re-applying the undo of the undo does not give the batch's result")
	}
}

// testBatchRepeatedKey: a batch naming one key twice is refused as invalid
// and changes nothing.
func testBatchRepeatedKey(t *testing.T, s vault.Store) {
	mustSet(t, s, "secret/r", []byte("before"))
	_, err := s.Apply(ctxFor(t), []vault.Change{
		{Key: "secret/r-other", Value: []byte("x")},
		{Key: "secret/r", Value: []byte("one")},
		{Key: "secret/r", Delete: true},
	})
	if !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("a batch naming a key twice: err = %v, want ErrInvalid", err)
	}
	var se *vault.StoreError
	if !errors.As(err, &se) {
		t.Fatalf("err = %T, want a *vault.StoreError", err)
	}
	mustGetEqual(t, s, "secret/r", []byte("before"))
	_, err = s.Get(ctxFor(t), "secret/r-other")
	wantNotFound(t, err, "Get of a key from the refused batch")
}

// testBatchConcurrent: batches from several goroutines over their own keys
// and one shared key all land; the shared key ends as one batch's value.
func testBatchConcurrent(t *testing.T, s vault.Store) {
	ctx := ctxFor(t)
	const workers = 4
	shared := make([][]byte, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		shared[g] = RandomBytes(100 + g)
		wg.Add(1)
		go func() {
			defer wg.Done()
			changes := []vault.Change{{Key: "secret/shared-batch", Value: shared[g]}}
			for i := range 5 {
				changes = append(changes, vault.Change{Key: fmt.Sprintf("secret/batch-%d-%d", g, i), Value: []byte(fmt.Sprintf("value %d %d", g, i))})
			}
			if _, err := s.Apply(ctx, changes); err != nil {
				errs <- fmt.Errorf("worker %d: %w", g, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for g := range workers {
		for i := range 5 {
			mustGetEqual(t, s, fmt.Sprintf("secret/batch-%d-%d", g, i), []byte(fmt.Sprintf("value %d %d", g, i)))
		}
	}
	got, err := s.Get(ctx, "secret/shared-batch")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(shared, func(v []byte) bool { return bytes.Equal(v, got) }) {
		t.Fatal("the shared key holds none of the values the batches wrote")
	}
}

// testBatchContextCancelled: a batch with an ended context is a timeout
// and changes nothing.
func testBatchContextCancelled(t *testing.T, s vault.Store) {
	mustSet(t, s, "secret/bctx", []byte("old"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Apply(ctx, []vault.Change{{Key: "secret/bctx", Value: []byte("new")}, {Key: "secret/bctx-2", Value: []byte("x")}})
	wantTimeout(t, err, "cancelled Apply")
	mustGetEqual(t, s, "secret/bctx", []byte("old"))
	_, err = s.Get(ctxFor(t), "secret/bctx-2")
	wantNotFound(t, err, "Get of a key from the cancelled batch")
}

// FailingKeyring wraps a vault.KeyringProvider and fails its FailAt-th
// write (Set or Delete, 1-based) once, as a keychain that errs or is locked
// midway would; the calls after it go through.
type FailingKeyring struct {
	vault.KeyringProvider
	mu     sync.Mutex
	FailAt int
	writes int
}

func (f *FailingKeyring) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	return f.writes == f.FailAt
}

// Set fails on the chosen write, else forwards.
func (f *FailingKeyring) Set(service, user, password string) error {
	if f.fail() {
		return fmt.Errorf("%w: injected failure of keychain write %d", vault.ErrUnavailable, f.FailAt)
	}
	return f.KeyringProvider.Set(service, user, password)
}

// Delete fails on the chosen write, else forwards.
func (f *FailingKeyring) Delete(service, user string) error {
	if f.fail() {
		return fmt.Errorf("%w: injected failure of keychain write %d", vault.ErrUnavailable, f.FailAt)
	}
	return f.KeyringProvider.Delete(service, user)
}

// Writes returns the writes seen so far.
func (f *FailingKeyring) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// RunBatchFailures checks that a batch is all or nothing when the backend
// fails midway. newStore returns a fresh store whose failAt-th backend write
// fails (once), a view of the same values that never fails, and a count of
// the backend writes made so far. Each failing point of one batch (replacing
// small and chunked values, adding, deleting) is tried in turn until the
// batch goes through: after every failure, every value is as it was.
func RunBatchFailures(t *testing.T, newStore func(t *testing.T, failAt int) (store, view vault.Store, writes func() int)) {
	t.Helper()
	keys := []string{"secret/f-small", "secret/f-big", "secret/f-del", "secret/f-new", "secret/f-new-big"}
	seed := func(t *testing.T, view vault.Store) map[string][]byte {
		t.Helper()
		mustSet(t, view, "secret/f-small", []byte("small before"))
		mustSet(t, view, "secret/f-big", RandomBytes(9000))
		mustSet(t, view, "secret/f-del", []byte("deleted by the batch"))
		return snapshot(t, view, keys)
	}
	batch := []vault.Change{
		{Key: "secret/f-small", Value: []byte("small after")},
		{Key: "secret/f-new", Value: []byte("new")},
		{Key: "secret/f-big", Value: RandomBytes(11000)},
		{Key: "secret/f-del", Delete: true},
		{Key: "secret/f-new-big", Value: RandomBytes(6000)},
	}
	for failAt := 1; ; failAt++ {
		if failAt > 1000 {
			t.Fatal("the batch still fails after 1,000 tries")
		}
		store, view, writes := newStore(t, failAt)
		before := seed(t, view)
		seeded := writes()
		_, err := store.Apply(ctxFor(t), batch)
		if err == nil {
			// Either no write was left to fail, or the one that failed was
			// a clean-up the value does not depend on (old chunks): the
			// batch must have landed whole.
			after := snapshot(t, view, keys)
			if string(after["secret/f-small"]) != "small after" || after["secret/f-del"] != nil || after["secret/f-new-big"] == nil {
				t.Fatalf("the batch went through (write %d set to fail) but did not land whole", failAt-seeded)
			}
			if writes()-seeded < failAt {
				if failAt-seeded < 3 {
					t.Fatal("the batch went through before any of its writes could fail")
				}
				return
			}
			continue
		}
		if !errors.Is(err, vault.ErrUnavailable) {
			t.Fatalf("write %d failed: err = %v, want the injected failure", failAt, err)
		}
		sameSnapshot(t, snapshot(t, view, keys), before, fmt.Sprintf("after the batch failed at write %d", failAt-seeded))
	}
}
