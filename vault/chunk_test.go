package vault

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	keyring "github.com/zalando/go-keyring"
)

// mapKeyring is a minimal in-package KeyringProvider (vaulttest's fake
// cannot be imported here).
type mapKeyring struct {
	mu    sync.Mutex
	items map[string]string
}

func (m *mapKeyring) Get(_, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (m *mapKeyring) Set(_, user, pw string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[user] = pw
	return nil
}

func (m *mapKeyring) Delete(_, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[user]; !ok {
		return keyring.ErrNotFound
	}
	delete(m.items, user)
	return nil
}

// Distinct keys never share a keychain account name, and header names never
// look like chunk names.
func TestKeychainUserNamesAreDistinct(t *testing.T) {
	t.Parallel()
	keys := []string{"a", "a#a0", "a%23a0", "a%2523a0", "a#", "a%", "a%25", "%", "#", "%23", "secret/x", "secret/x#b3"}
	seen := map[string]string{}
	for _, k := range keys {
		names := []string{keychainUser(k)}
		for _, slot := range []byte{'a', 'b'} {
			for i := range 12 {
				names = append(names, chunkUser(k, slot, i))
			}
		}
		if strings.Contains(names[0], "#") {
			t.Errorf("header name %q of key %q contains '#'", names[0], k)
		}
		for _, n := range names {
			if other, ok := seen[n]; ok && other != k {
				t.Fatalf("keys %q and %q both use the account name %q", other, k, n)
			}
			seen[n] = k
		}
	}
}

// S-29, S-36: keychain items are outside input; parsing never panics and
// every accepted item is within the limits.
func FuzzParseKeychainItem(f *testing.F) {
	header, chunks := encodeChunks(bytes.Repeat([]byte("v"), 3000), 512, 'a')
	f.Add(header)
	f.Add(chunks[0])
	f.Add(encodeInline([]byte("hello"), 512))
	f.Add("adk1:h:b:1:0:" + strings.Repeat("0", 64) + ":0123456789abcdef")
	f.Add("adk1:c:0123456789abcdef:00:AAAA")
	f.Add("adk1:v:zz:AAAA")
	f.Add("hunter2")
	f.Fuzz(func(t *testing.T, s string) {
		if h, err := parseHeader(s); err == nil {
			if h.inline {
				_, _ = decodeInline(h)
			} else if h.count < 1 || h.count > maxChunks(minChunkSize) || h.size > maxKeychainValue || (h.slot != 'a' && h.slot != 'b') {
				t.Fatalf("accepted a header out of bounds: %+v", h)
			}
		}
		if p, err := parseChunk(s); err == nil {
			if p.index < 0 || p.index > maxChunks(minChunkSize) || len(p.wid) != writeIDLen {
				t.Fatalf("accepted a chunk out of bounds: %+v", p)
			}
			_, _ = joinChunks(chunkHeader{size: 3}, []string{p.piece})
		}
	})
}

// S-29: any value at any chunk size round-trips through the keychain
// layout, every item fits the chunk size, and damaging any one byte of any
// item gives back the value or ErrCorrupt — never a different value.
func FuzzKeychainChunkedValue(f *testing.F) {
	f.Add([]byte("short"), uint16(0), uint16(3), byte(1))
	f.Add(bytes.Repeat([]byte{0, 0xff, 'x'}, 2000), uint16(200), uint16(40), byte(0x20))
	f.Add([]byte{}, uint16(10), uint16(0), byte(0x80))
	f.Fuzz(func(t *testing.T, value []byte, size, at uint16, mask byte) {
		if len(value) > 64<<10 {
			return
		}
		chunkSize := minChunkSize + int(size)%4000
		kr := &mapKeyring{items: map[string]string{}}
		s := NewKeychainStore(KeychainOptions{Provider: kr, Service: "fuzz", ChunkSize: chunkSize})
		ctx := context.Background()
		if err := s.Set(ctx, "k", value); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := s.Get(ctx, "k")
		if err != nil || !bytes.Equal(got, value) {
			t.Fatalf("round trip at chunk size %d: %d bytes, %v", chunkSize, len(got), err)
		}
		var users []string
		for u, item := range kr.items {
			if len(item) > chunkSize {
				t.Fatalf("item %q is %d bytes, over chunk size %d", u, len(item), chunkSize)
			}
			users = append(users, u)
		}
		if mask == 0 {
			return
		}
		user := users[int(at)%len(users)]
		b := []byte(kr.items[user])
		b[int(at)%len(b)] ^= mask
		kr.items[user] = string(b)
		got, err = s.Get(ctx, "k")
		if err == nil && !bytes.Equal(got, value) {
			t.Fatalf("a damaged item gave a different value (item %q, byte %d, mask %#x)", user, int(at)%len(b), mask)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a damaged item gave %v, want ErrCorrupt", err)
		}
	})
}

// S-36: the decrypted file vault document is outside input too.
func FuzzParseVaultDoc(f *testing.F) {
	f.Add([]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"dmFsdWU="}}`))
	f.Add([]byte(`{"format":"authdeck-vault","version":1,"values":{"k":null}}`))
	f.Add([]byte(`{"format":"authdeck-vault","version":2}`))
	f.Add([]byte(`{"format":"authdeck-vault","version":1,"values":{"k":"!!"}}`))
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, err := parseVaultDoc("vault.age", data, maxFileVaultDoc)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "vault.age") {
				t.Fatalf("error %v should wrap ErrCorrupt and name the file", err)
			}
			return
		}
		for k, v := range vals.all() {
			if v == nil {
				t.Fatalf("value %q is nil", k)
			}
		}
	})
}
