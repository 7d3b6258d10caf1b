package vault

import (
	"context"
	"errors"
	"testing"

	"filippo.io/age"
)

// fakeAgent holds one identity for one identity file, as `authdeck unlock`'s
// agent does, and counts the questions.
type fakeAgent struct {
	id    *age.X25519Identity
	sum   [32]byte
	asked int
}

func (a *fakeAgent) Identity(sum [32]byte) *age.X25519Identity {
	a.asked++
	if a.id == nil || sum != a.sum {
		return nil
	}
	return a.id
}

// With the identity in an agent, a process reads and writes the vault
// without the passphrase and without a key derivation; an agent holding
// another identity file's identity is not used.
func TestFileStoreTakesTheIdentityFromTheAgent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	pass := func() (string, error) { return "pw", nil }
	first, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Set(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	unlocker, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	id, sum, err := unlocker.UnwrapIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if unlocker.kdfs != 1 {
		t.Fatalf("unlocking took %d key derivations, want 1", unlocker.kdfs)
	}

	ag := &fakeAgent{id: id, sum: sum}
	noPass := func() (string, error) { return "", errors.New("the passphrase was asked for") }
	s, err := NewFileStore(FileOptions{Dir: dir, Passphrase: noPass, WorkFactor: 10, Agent: ag})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || string(got) != "v1" {
		t.Fatalf("Get through the agent = %q, %v", got, err)
	}
	if err := s.Set(ctx, "k2", []byte("v2")); err != nil {
		t.Fatalf("Set through the agent: %v", err)
	}
	if s.kdfs != 0 || s.agentHits != 1 {
		t.Fatalf("with the agent: %d key derivations and %d identities from it, want 0 and 1", s.kdfs, s.agentHits)
	}
	// A fresh process whose first call is a write takes it from the agent too.
	w, err := NewFileStore(FileOptions{Dir: dir, Passphrase: noPass, WorkFactor: 10, Agent: ag})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Set(ctx, "k3", []byte("v3")); err != nil {
		t.Fatalf("a first write through the agent: %v", err)
	}
	if w.kdfs != 0 {
		t.Fatalf("a first write through the agent ran %d key derivations", w.kdfs)
	}

	// An agent holding another identity file's identity: the passphrase.
	other := &fakeAgent{id: id, sum: [32]byte{1}}
	o, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10, Agent: other})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := o.Get(ctx, "k2"); err != nil || string(got) != "v2" {
		t.Fatalf("Get past an agent of another file = %q, %v", got, err)
	}
	if o.kdfs != 1 || o.agentHits != 0 || other.asked == 0 {
		t.Fatalf("past an agent of another file: %d derivations, %d agent identities, asked %d times; want 1, 0, ≥1", o.kdfs, o.agentHits, other.asked)
	}
}

// A vault with no identity file yet has nothing to unlock.
func TestUnwrapIdentityWithoutAVault(t *testing.T) {
	t.Parallel()
	s, err := NewFileStore(FileOptions{Dir: t.TempDir(), Passphrase: func() (string, error) { return "pw", nil }, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UnwrapIdentity(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UnwrapIdentity with no vault: %v; want ErrNotFound", err)
	}
}
