package vault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	keyring "github.com/zalando/go-keyring"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

const testService = "authdeck-test"

func newFakeKeychain(t testing.TB, chunkSize int) (*vault.KeychainStore, *vaulttest.FakeKeyring) {
	t.Helper()
	fake := vaulttest.NewFakeKeyring()
	return vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: testService, ChunkSize: chunkSize, Timeout: 5 * time.Second}), fake
}

// S-28, S-29: the conformance suite against the keychain backend over a fake
// keyring, at the smallest chunk size (many chunks per value) and the default.
func TestKeychainConformanceFake(t *testing.T) {
	t.Parallel()
	for _, size := range []int{vault.MinChunkSize, 256, 0} {
		t.Run(fmt.Sprintf("chunk=%d", size), func(t *testing.T) {
			t.Parallel()
			vaulttest.Run(t, func(t *testing.T) vault.Store {
				s, _ := newFakeKeychain(t, size)
				return s
			})
		})
	}
}

// S-28, S-29: the conformance suite against gnome-keyring's real Secret
// Service (CI runs it through .ci/with-secret-service.sh; without a Secret
// Service it fails under CI=true and skips otherwise).
func TestKeychainConformanceSecretService(t *testing.T) {
	t.Parallel()
	vaulttest.RequireSecretService(t)
	// The portable chunk size (Windows/macOS) chunks the 16 KiB value and the
	// PEM, so chunking is exercised on the real service; smaller chunks only
	// slow gnome-keyring down, which rewrites its whole keyring file on every
	// change. The Linux default stores them in one item (TestKeychainSecretServiceDefault).
	vaulttest.Run(t, func(t *testing.T) vault.Store { return vaulttest.SecretServiceStore(t, vault.PortableChunkSize) })
}

// On Linux the keychain backend talks to the Secret Service itself; its
// items are go-keyring's, so values written by either are read by the other
// (inline and chunked), and a delete by one leaves nothing for the other.
func TestKeychainSecretServiceMatchesGoKeyring(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the keychain backend uses go-keyring itself on this platform")
	}
	own, _ := vaulttest.SecretServiceStores(t, vault.PortableChunkSize, nil)
	other := vault.NewKeychainStore(vault.KeychainOptions{Provider: vault.GoKeyring(), Service: own.Service(), ChunkSize: vault.PortableChunkSize, Timeout: 10 * time.Second})
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		write, read *vault.KeychainStore
		value       []byte
	}{
		{"own → go-keyring, inline", own, other, []byte("inline value")},
		{"own → go-keyring, chunked", own, other, vaulttest.RandomBytes(9000)},
		{"go-keyring → own, inline", other, own, []byte("another inline value")},
		{"go-keyring → own, chunked", other, own, vaulttest.RandomBytes(7000)},
	} {
		key := "secret/compat-" + strings.ReplaceAll(tc.name, " ", "")
		if err := tc.write.Set(ctx, key, tc.value); err != nil {
			t.Fatalf("%s: Set: %v", tc.name, err)
		}
		got, err := tc.read.Get(ctx, key)
		if err != nil || !bytes.Equal(got, tc.value) {
			t.Fatalf("%s: the other provider reads %d bytes (%v), want the %d written", tc.name, len(got), err, len(tc.value))
		}
		if err := tc.read.Delete(ctx, key); err != nil {
			t.Fatalf("%s: Delete: %v", tc.name, err)
		}
		if _, err := tc.write.Get(ctx, key); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("%s: after the other provider deleted it, Get = %v, want ErrNotFound", tc.name, err)
		}
		items, err := tc.write.Items(ctx, key)
		if err != nil || len(items) != 0 {
			t.Fatalf("%s: %q left behind (%v)", tc.name, items, err)
		}
	}
}

// A batch on the keychain is all or nothing: whichever keychain write
// fails, the changes already made are put back (over a fake keyring, at
// the portable chunk size and the platform's own).
func TestKeychainBatchFailuresFake(t *testing.T) {
	t.Parallel()
	for _, size := range []int{vault.PortableChunkSize, 0} {
		t.Run(fmt.Sprintf("chunk=%d", size), func(t *testing.T) {
			t.Parallel()
			vaulttest.RunBatchFailures(t, func(t *testing.T, failAt int) (vault.Store, vault.Store, func() int) {
				fake := vaulttest.NewFakeKeyring()
				failing := &vaulttest.FailingKeyring{KeyringProvider: fake, FailAt: failAt}
				opts := vault.KeychainOptions{Provider: failing, Service: testService, ChunkSize: size, Timeout: 5 * time.Second}
				store := vault.NewKeychainStore(opts)
				opts.Provider = fake
				return store, vault.NewKeychainStore(opts), failing.Writes
			})
		})
	}
}

// The same on gnome-keyring's real Secret Service.
func TestKeychainBatchFailuresSecretService(t *testing.T) {
	t.Parallel()
	vaulttest.RunBatchFailures(t, func(t *testing.T, failAt int) (vault.Store, vault.Store, func() int) {
		var failing *vaulttest.FailingKeyring
		store, view := vaulttest.SecretServiceStores(t, vault.PortableChunkSize, func(p vault.KeyringProvider) vault.KeyringProvider {
			failing = &vaulttest.FailingKeyring{KeyringProvider: p, FailAt: failAt}
			return failing
		})
		return store, view, failing.Writes
	})
}

// S-29: on the real Secret Service, a value over the chunk size is stored as
// a header plus chunks, and each item stays under the Windows limit.
func TestKeychainSecretServiceChunks(t *testing.T) {
	t.Parallel()
	s := vaulttest.SecretServiceStore(t, vault.PortableChunkSize)
	ctx := context.Background()
	pemKey, err := vaulttest.RSA4096PEM()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "client/pem", pemKey); err != nil {
		t.Fatal(err)
	}
	items, err := s.Items(ctx, "client/pem")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 3 {
		t.Fatalf("a %d-byte PEM is kept in %d keychain items, want a header and at least 2 chunks", len(pemKey), len(items))
	}
	for _, user := range items {
		raw, err := keyring.Get(s.Service(), user)
		if err != nil {
			t.Fatalf("reading item %q directly: %v", user, err)
		}
		if len(raw) > vault.PortableChunkSize {
			t.Errorf("item %q is %d bytes, over the %d-byte chunk size", user, len(raw), vault.PortableChunkSize)
		}
	}
	if err := s.Delete(ctx, "client/pem"); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.Items(ctx, "client/pem"); len(items) != 0 {
		t.Fatalf("items left after Delete: %q", items)
	}
}

// S-29: every item written stays within the chunk size, so Windows' 2,560-byte
// and macOS's ~3 KB limits are never hit.
func TestKeychainItemsFitChunkSize(t *testing.T) {
	t.Parallel()
	pemKey, err := vaulttest.RSA4096PEM()
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{vault.MinChunkSize, 300, 1000, vault.PortableChunkSize} {
		s, fake := newFakeKeychain(t, size)
		ctx := context.Background()
		values := map[string][]byte{"pem": pemKey, "16k": vaulttest.RandomBytes(16 << 10), "small": []byte("x"), "edge": vaulttest.RandomBytes(size)}
		for k, v := range values {
			if err := s.Set(ctx, k, v); err != nil {
				t.Fatal(err)
			}
		}
		users := fake.Users(testService)
		for _, u := range users {
			raw, _ := fake.Item(testService, u)
			if len(raw) > size {
				t.Errorf("chunk size %d: item %q is %d bytes", size, u, len(raw))
			}
		}
		if size == vault.PortableChunkSize && len(users) <= len(values) {
			t.Errorf("chunk size %d: %d items for %d values; the PEM and the 16 KiB value should be chunked", size, len(users), len(values))
		}
		for k, v := range values {
			got, err := s.Get(ctx, k)
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("chunk size %d: %s does not round-trip (err %v)", size, k, err)
			}
		}
	}
}

// S-28: a keyring that never answers gives ErrTimeout within the timeout, and
// however many calls are made meanwhile, only the one stuck call holds a
// goroutine.
func TestKeychainBlockedKeyringTimesOut(t *testing.T) {
	t.Parallel()
	fake := vaulttest.NewFakeKeyring()
	s := vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: testService, Timeout: 50 * time.Millisecond})
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("before")); err != nil {
		t.Fatal(err)
	}
	release := fake.Block()
	defer release()

	start := time.Now()
	_, err := s.Get(ctx, "k")
	if !errors.Is(err, vault.ErrTimeout) {
		t.Fatalf("Get on a blocked keyring: err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Get on a blocked keyring took %v, want about the 50ms timeout", d)
	}
	var se *vault.StoreError
	if !errors.As(err, &se) || !strings.Contains(se.Hint, "AUTHDECK_VAULT=file") {
		t.Errorf("timeout error %v has no hint naming AUTHDECK_VAULT=file", err)
	}

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch i % 3 {
			case 0:
				_, err = s.Get(ctx, "k")
			case 1:
				err = s.Set(ctx, "k", []byte("during"))
			default:
				err = s.Delete(ctx, "k")
			}
			if !errors.Is(err, vault.ErrTimeout) {
				t.Errorf("call %d on a blocked keyring: err = %v, want ErrTimeout", i, err)
			}
		}()
	}
	wg.Wait()
	if n := fake.InFlight(); n != 1 {
		t.Fatalf("%d keyring calls are stuck, want only the first one", n)
	}

	release()
	deadline := time.Now().Add(5 * time.Second)
	for fake.InFlight() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := fake.InFlight(); n != 0 {
		t.Fatalf("%d keyring calls still stuck after release", n)
	}
	// Once the keyring answers again the store works, and nothing written
	// while it was stuck got through.
	var got []byte
	for range 100 {
		got, err = s.Get(ctx, "k")
		if !errors.Is(err, vault.ErrTimeout) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || string(got) != "before" {
		t.Fatalf("after release Get = %q, %v; want the value from before the stall", got, err)
	}
}

// S-28: a blocked keyring holds one goroutine, not one per call.
func TestKeychainBlockedKeyringNoGoroutinePileUp(t *testing.T) {
	// Not parallel: counts the process's goroutines.
	fake := vaulttest.NewFakeKeyring()
	s := vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: testService, Timeout: 20 * time.Millisecond})
	release := fake.Block()
	defer release()
	ctx := context.Background()
	_, _ = s.Get(ctx, "k") // the one call that stays stuck
	before := runtime.NumGoroutine()
	for range 50 {
		if _, err := s.Get(ctx, "k"); !errors.Is(err, vault.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Fatalf("goroutines grew from %d to %d over 50 timed-out calls", before, after)
	}
}

// S-28: locked, unavailable, not found and timeout are distinct errors,
// whatever shape the keyring reports them in (D-Bus errors from the Secret
// Service, go-keyring's own errors, bus connection errors).
func TestKeychainErrorMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		err      error
		want     error
		wantHint string
	}{
		{"secret service IsLocked", vaulttest.ErrDBusLocked, vault.ErrLocked, "AUTHDECK_VAULT=file"},
		{"unlock prompt dismissed", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), vault.ErrLocked, "AUTHDECK_VAULT=file"},
		{"no secret service on the bus", vaulttest.ErrDBusNoService, vault.ErrUnavailable, "AUTHDECK_VAULT=file"},
		{"no session bus", &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, vault.ErrUnavailable, "AUTHDECK_VAULT=file"},
		{"unsupported platform", keyring.ErrUnsupportedPlatform, vault.ErrUnavailable, "AUTHDECK_VAULT=file"},
		{"bus gave up waiting", vaulttest.ErrDBusNoReply, vault.ErrTimeout, "AUTHDECK_VAULT=file"},
		{"item too big", keyring.ErrSetDataTooBig, vault.ErrTooLarge, ""},
		{"not found", keyring.ErrNotFound, vault.ErrNotFound, ""},
	}
	sentinels := []error{vault.ErrNotFound, vault.ErrLocked, vault.ErrUnavailable, vault.ErrTimeout, vault.ErrTooLarge, vault.ErrCorrupt}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, fake := newFakeKeychain(t, 0)
			ctx := context.Background()
			if err := s.Set(ctx, "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			fake.FailWith(tc.err)
			_, gerr := s.Get(ctx, "k")
			for op, err := range map[string]error{"get": gerr, "set": s.Set(ctx, "k", []byte("w")), "delete": s.Delete(ctx, "k")} {
				if !errors.Is(err, tc.want) {
					t.Fatalf("%s: err = %v, want %v", op, err, tc.want)
				}
				for _, other := range sentinels {
					if other != tc.want && errors.Is(err, other) {
						t.Errorf("%s: err %v also matches %v", op, err, other)
					}
				}
				var se *vault.StoreError
				if !errors.As(err, &se) {
					t.Fatalf("%s: err is %T, want *vault.StoreError", op, err)
				}
				if se.Op != op || se.Key != "k" || se.Backend != vault.BackendKeychain {
					t.Errorf("%s: StoreError{Op:%q Key:%q Backend:%q}", op, se.Op, se.Key, se.Backend)
				}
				if tc.wantHint != "" && !strings.Contains(err.Error(), tc.wantHint) {
					t.Errorf("%s: message %q does not name %s", op, err, tc.wantHint)
				}
				if tc.want != vault.ErrTooLarge && !vault.IsStoreFailure(err) {
					t.Errorf("%s: %v is not a store failure", op, err)
				}
			}
			fake.FailWith(nil)
			got, err := s.Get(ctx, "k")
			if err != nil || string(got) != "v" {
				t.Fatalf("after the failures the value is %q, %v; want the original", got, err)
			}
		})
	}
}

// S-29: a missing or altered chunk, or a damaged header, is ErrCorrupt —
// never a wrong value, and the message holds no part of the value.
func TestKeychainDamagedItemsAreCorrupt(t *testing.T) {
	t.Parallel()
	value := bytes.Repeat([]byte("SECRET-VALUE-"), 400) // 5,200 bytes
	chunkName := func(slot string, i int) string { return fmt.Sprintf("secret/x#%s%d", slot, i) }
	flip := func(s string, at int) string {
		b := []byte(s)
		b[at] ^= 0x01
		return string(b)
	}
	cases := []struct {
		name   string
		damage func(f *vaulttest.FakeKeyring)
	}{
		{"flipped byte in a chunk payload", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, chunkName("a", 2))
			f.PutItem(testService, chunkName("a", 2), flip(raw, len(raw)-10))
		}},
		{"another valid base64 letter in a chunk", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, chunkName("a", 0))
			b := []byte(raw)
			at := len(b) - 5
			if b[at] == 'Q' {
				b[at] = 'R'
			} else {
				b[at] = 'Q'
			}
			f.PutItem(testService, chunkName("a", 0), string(b))
		}},
		{"missing chunk", func(f *vaulttest.FakeKeyring) { f.RemoveItem(testService, chunkName("a", 1)) }},
		{"missing last chunk", func(f *vaulttest.FakeKeyring) {
			users := f.Users(testService)
			f.RemoveItem(testService, users[len(users)-1])
		}},
		{"two chunks swapped", func(f *vaulttest.FakeKeyring) {
			a, _ := f.Item(testService, chunkName("a", 1))
			b, _ := f.Item(testService, chunkName("a", 2))
			f.PutItem(testService, chunkName("a", 1), b)
			f.PutItem(testService, chunkName("a", 2), a)
		}},
		{"truncated chunk", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, chunkName("a", 1))
			f.PutItem(testService, chunkName("a", 1), raw[:len(raw)/2])
		}},
		{"chunk from another write", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, chunkName("a", 1))
			f.PutItem(testService, chunkName("a", 1), strings.Replace(raw, raw[7:23], "0123456789abcdef", 1))
		}},
		{"header size altered", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, "secret/x")
			f.PutItem(testService, "secret/x", strings.Replace(raw, ":5200:", ":5199:", 1))
		}},
		{"header checksum altered", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, "secret/x")
			i := strings.Index(raw, ":5200:") + len(":5200:")
			f.PutItem(testService, "secret/x", flip(raw, i+3))
		}},
		{"header count lowered", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, "secret/x")
			parts := strings.Split(raw, ":")
			parts[3] = "2"
			f.PutItem(testService, "secret/x", strings.Join(parts, ":"))
		}},
		{"header truncated", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, "secret/x")
			f.PutItem(testService, "secret/x", raw[:20])
		}},
		{"header replaced by a foreign item", func(f *vaulttest.FakeKeyring) {
			f.PutItem(testService, "secret/x", "hunter2")
		}},
		{"header points at the empty slot", func(f *vaulttest.FakeKeyring) {
			raw, _ := f.Item(testService, "secret/x")
			f.PutItem(testService, "secret/x", strings.Replace(raw, "adk1:h:a:", "adk1:h:b:", 1))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, fake := newFakeKeychain(t, 1024)
			ctx := context.Background()
			if err := s.Set(ctx, "secret/x", value); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, "secret/x"); err != nil || !bytes.Equal(got, value) {
				t.Fatalf("undamaged value does not round-trip: %v", err)
			}
			tc.damage(fake)
			got, err := s.Get(ctx, "secret/x")
			if !errors.Is(err, vault.ErrCorrupt) {
				t.Fatalf("Get of a damaged value: err = %v (%d bytes returned), want ErrCorrupt", err, len(got))
			}
			if got != nil {
				t.Fatalf("Get of a damaged value returned %d bytes along with the error", len(got))
			}
			msg := err.Error()
			if strings.Contains(msg, "SECRET-VALUE") || strings.Contains(msg, base64.StdEncoding.EncodeToString(value[:30])[:20]) {
				t.Fatal("the corruption error contains part of the value")
			}
			if !vault.IsStoreFailure(err) {
				t.Errorf("%v is not a store failure", err)
			}
			// A damaged value can be replaced and deleted.
			if err := s.Set(ctx, "secret/x", []byte("fresh")); err != nil {
				t.Fatalf("overwriting a damaged value: %v", err)
			}
			if got, err := s.Get(ctx, "secret/x"); err != nil || string(got) != "fresh" {
				t.Fatalf("after overwrite Get = %q, %v", got, err)
			}
			if err := s.Delete(ctx, "secret/x"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if n := fake.Len(); n != 0 {
				t.Fatalf("%d items left after deleting the damaged value: %q", n, fake.Users(testService))
			}
		})
	}
}

// S-29: a write that fails at any step leaves the previous value readable,
// never a mix, and removes the pieces it had written.
func TestKeychainInterruptedWriteKeepsOldValue(t *testing.T) {
	t.Parallel()
	old := vaulttest.RandomBytes(3000)
	for _, tc := range []struct {
		name    string
		newSize int
	}{{"chunked over chunked", 4000}, {"inline over chunked", 10}, {"chunked over inline", 4000}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			oldVal := old
			if tc.name == "chunked over inline" {
				oldVal = []byte("small old value")
			}
			newVal := vaulttest.RandomBytes(tc.newSize)
			for failAt := 1; ; failAt++ {
				if failAt > 100 {
					t.Fatal("the write never succeeded")
				}
				s, fake := newFakeKeychain(t, 512)
				ctx := context.Background()
				if err := s.Set(ctx, "k", oldVal); err != nil {
					t.Fatal(err)
				}
				before := fake.Users(testService)
				fake.FailSetAt(failAt, vaulttest.ErrDBusLocked)
				err := s.Set(ctx, "k", newVal)
				got, gerr := s.Get(ctx, "k")
				if err == nil {
					if gerr != nil || !bytes.Equal(got, newVal) {
						t.Fatalf("write succeeded but Get = %d bytes, %v", len(got), gerr)
					}
					if failAt == 1 {
						t.Fatal("the first keyring write never failed")
					}
					return
				}
				if !errors.Is(err, vault.ErrLocked) {
					t.Fatalf("failAt %d: err = %v, want the injected ErrLocked", failAt, err)
				}
				if gerr != nil || !bytes.Equal(got, oldVal) {
					t.Fatalf("failAt %d: after a failed write Get = %d bytes, %v; want the old value", failAt, len(got), gerr)
				}
				if after := fake.Users(testService); !equalStrings(before, after) {
					t.Fatalf("failAt %d: items before %q, after the failed write %q", failAt, before, after)
				}
			}
		})
	}
	t.Run("new key", func(t *testing.T) {
		t.Parallel()
		s, fake := newFakeKeychain(t, 512)
		fake.FailSetAt(3, vaulttest.ErrDBusNoService)
		err := s.Set(context.Background(), "k", vaulttest.RandomBytes(4000))
		if !errors.Is(err, vault.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if _, err := s.Get(context.Background(), "k"); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("Get after a failed first write: err = %v, want ErrNotFound", err)
		}
		if n := fake.Len(); n != 0 {
			t.Fatalf("%d items left by the failed write", n)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// S-29: chunks left behind by a write that was cut off before it could clean
// up are removed by the next write or delete of the key.
func TestKeychainLeftoverChunksAreSwept(t *testing.T) {
	t.Parallel()
	s, fake := newFakeKeychain(t, 512)
	ctx := context.Background()
	if err := s.Set(ctx, "k", vaulttest.RandomBytes(3000)); err != nil {
		t.Fatal(err)
	}
	// As if a process died after writing two chunks of its next value.
	fake.PutItem(testService, "k#b0", "adk1:c:0123456789abcdef:0:AAAA")
	fake.PutItem(testService, "k#b1", "adk1:c:0123456789abcdef:1:AAAA")
	v := vaulttest.RandomBytes(2000)
	if err := s.Set(ctx, "k", v); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || !bytes.Equal(got, v) {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
	for _, u := range fake.Users(testService) {
		if strings.HasPrefix(u, "k#a") {
			t.Errorf("chunk %q of the replaced value is still there", u)
		}
	}
	fake.PutItem(testService, "k#a0", "adk1:c:0123456789abcdef:0:AAAA")
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if n := fake.Len(); n != 0 {
		t.Fatalf("items left after Delete: %q", fake.Users(testService))
	}
	// A key whose header is gone but whose chunks linger is cleaned too.
	fake.PutItem(testService, "gone#a0", "adk1:c:0123456789abcdef:0:AAAA")
	if err := s.Delete(ctx, "gone"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("Delete of a key with no header: err = %v, want ErrNotFound", err)
	}
	if n := fake.Len(); n != 0 {
		t.Fatalf("orphan chunks left: %q", fake.Users(testService))
	}
}

// Keys a keychain cannot hold faithfully, and values over the size limit,
// are refused before any keychain call.
func TestKeychainRefusesBadKeysAndHugeValues(t *testing.T) {
	t.Parallel()
	s, fake := newFakeKeychain(t, 0)
	ctx := context.Background()
	for _, key := range []string{"", "tab\tkey", "nl\nkey", "nul\x00key", string([]byte{0xff, 0xfe}), strings.Repeat("k", vault.MaxKeyLen+1)} {
		if err := s.Set(ctx, key, []byte("v")); !errors.Is(err, vault.ErrInvalid) {
			t.Errorf("Set(%q): err = %v, want ErrInvalid", key, err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, vault.ErrInvalid) {
			t.Errorf("Get(%q): err = %v, want ErrInvalid", key, err)
		}
	}
	if err := s.Set(ctx, "huge", make([]byte, vault.MaxKeychainValue+1)); !errors.Is(err, vault.ErrTooLarge) {
		t.Errorf("Set of %d bytes: err = %v, want ErrTooLarge", vault.MaxKeychainValue+1, err)
	}
	if n := fake.Calls(); n != 0 {
		t.Fatalf("%d keychain calls for refused input", n)
	}
}

// S-29: with the platform's default chunk size, a token set or a PEM is one
// keychain item on the Secret Service, and a value over the default is still
// chunked and read back intact.
func TestKeychainSecretServiceDefault(t *testing.T) {
	t.Parallel()
	s := vaulttest.SecretServiceStore(t, 0)
	ctx := context.Background()
	pemKey, err := vaulttest.RSA4096PEM()
	if err != nil {
		t.Fatal(err)
	}
	big := vaulttest.RandomBytes(vault.DefaultChunkSize + 1000)
	for _, tc := range []struct {
		key     string
		value   []byte
		chunked bool
	}{
		{"secret/pem", pemKey, vault.DefaultChunkSize < 4096},
		{"secret/big", big, true},
	} {
		if err := s.Set(ctx, tc.key, tc.value); err != nil {
			t.Fatal(err)
		}
		items, err := s.Items(ctx, tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(items) > 1; got != tc.chunked {
			t.Errorf("%s (%d bytes) is kept in %d items with the %d-byte default; chunked = %v, want %v", tc.key, len(tc.value), len(items), vault.DefaultChunkSize, got, tc.chunked)
		}
		got, err := s.Get(ctx, tc.key)
		if err != nil || !bytes.Equal(got, tc.value) {
			t.Fatalf("%s does not round-trip (err %v)", tc.key, err)
		}
	}
}
