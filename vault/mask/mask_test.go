package mask

import (
	"strings"
	"testing"
)

// S-30: a masked value shows its type, its length and at most its last four
// characters, fewer (or none) for short values.
func TestMaskS30(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, value string
		want        string
	}{
		{"API_KEY", "sk_live_0123456789abcdef0123456789ab3f9a", "API_KEY ••••••••3f9a (40 chars)"},
		{"API_KEY", "0123456789abcdef", "API_KEY ••••••••cdef (16 chars)"},
		{"SIMPLE", "abcdefghijkl", "SIMPLE ••••••••jkl (12 chars)"},
		{"SIMPLE", "abcdefgh", "SIMPLE ••••••••gh (8 chars)"},
		{"SIMPLE", "abcdefg", "SIMPLE •••••••• (7 chars)"},
		{"SIMPLE", "a", "SIMPLE •••••••• (1 char)"},
		{"SIMPLE", "", "SIMPLE (empty)"},
		{"", "ääääääääüüüü", "••••••••üüü (12 chars)"},
		{"PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "PRIVATE_KEY •••••••• (59 chars)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			got := String(tc.kind, tc.value)
			if got != tc.want {
				t.Fatalf("String = %q, want %q", got, tc.want)
			}
			m := Value(tc.kind, tc.value)
			if len([]rune(m.Tail)) > maxMaskTail {
				t.Fatalf("tail of %d characters", len([]rune(m.Tail)))
			}
			if len(tc.value) >= 4 && strings.Contains(got, tc.value[:len(tc.value)-len(m.Tail)]) {
				t.Fatal("the masked form contains the hidden part")
			}
		})
	}
}

func TestMaskTailLenNeverRevealsMost(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 200; n++ {
		k := TailLen(n)
		if k < 0 || k > maxMaskTail || (n > 0 && k*4 > n) {
			t.Fatalf("TailLen(%d) = %d", n, k)
		}
	}
}

func BenchmarkMask(b *testing.B) {
	v := strings.Repeat("sk_live_0123456789", 3)
	b.ReportAllocs()
	for b.Loop() {
		if String("API_KEY", v) == "" {
			b.Fatal("empty mask")
		}
	}
}
