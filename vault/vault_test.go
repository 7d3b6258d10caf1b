package vault

import (
	"context"
	"errors"
	"testing"
)

func TestSecretRoundTripAndUndo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := NewMemoryStore()
	cat := NewMemoryCatalog()
	v := New(cat, mem)
	s, err := v.PutSecret(ctx, Secret{Meta: Meta{Name: "k", Env: DefaultEnv}, Type: TypeAPIKey}, &SecretValue{Key: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.SecretValue(ctx, s)
	if err != nil || got.Key != "abc" {
		t.Fatalf("SecretValue = %+v, %v", got, err)
	}
	if _, err := v.PutSecret(ctx, Secret{Meta: Meta{Name: "k", Env: DefaultEnv}, Type: TypeAPIKey}, &SecretValue{Key: "x"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate name: err = %v, want ErrExists", err)
	}
	// A catalog failure after the store write must restore the old value.
	cat.FailNext = errors.New("disk full")
	s.Description = "changed"
	if _, err := v.PutSecret(ctx, s, &SecretValue{Key: "new"}); err == nil {
		t.Fatal("update succeeded despite catalog failure")
	}
	got, _ = v.SecretValue(ctx, s)
	if got.Key != "abc" {
		t.Fatalf("after failed update the value is %q, want the old one", got.Key)
	}
	if err := v.RemoveSecret(ctx, DefaultEnv, "k"); err != nil {
		t.Fatal(err)
	}
	if n := len(mem.Keys()); n != 0 {
		t.Fatalf("%d values left after delete", n)
	}
}
