package workspace

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestEncryptedKeyAsksOnceForValuesOpenedAtOnce: a passphrase-protected
// SSH key asks for its passphrase once, however many shared values are
// opened at the same moment (the TUI checks several at once); a cancelled
// ask leaves it closed and the next value asks again.
func TestEncryptedKeyAsksOnceForValuesOpenedAtOnce(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "alice", []byte("key pass"))
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	spk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key+".pub", ssh.MarshalAuthorizedKey(spk), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := ParseRecipient(string(ssh.MarshalAuthorizedKey(spk)))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := encryptShared([]byte("sk_test_shared"), []Member{m})
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	var cancel atomic.Bool
	cancel.Store(true)
	ids, err := LoadIdentities(IdentityOptions{Paths: []string{key}, Explicit: true, Passphrase: func(string) ([]byte, error) {
		asked.Add(1)
		if cancel.Load() {
			return nil, os.ErrDeadlineExceeded
		}
		return []byte("key pass"), nil
	}})
	if err != nil || len(ids) != 1 || asked.Load() != 0 {
		t.Fatalf("loading the key: %d keys, asked %d times, %v", len(ids), asked.Load(), err)
	}
	if _, err := decryptShared(ct, ids); err == nil || asked.Load() != 1 {
		t.Fatalf("a cancelled ask opened the value (%v), asked %d times", err, asked.Load())
	}
	cancel.Store(false)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if plain, err := decryptShared(ct, ids); err != nil || string(plain) != "sk_test_shared" {
				t.Errorf("opening the value: %v", err)
			}
		})
	}
	wg.Wait()
	if n := asked.Load(); n != 2 {
		t.Errorf("asked %d times in all, want 2 (one cancelled, one for eight values at once)", n)
	}
}
