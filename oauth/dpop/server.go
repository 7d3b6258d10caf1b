package dpop

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// ReplayCache remembers proof ids until they could no longer be accepted,
// so a server refuses a replayed proof (RFC 9449 §11.1). It is bounded: when
// full it refuses new proofs rather than forgetting old ones.
type ReplayCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	max   int
	purge time.Time
}

// NewReplayCache returns a cache holding at most max ids (0 means 100,000).
func NewReplayCache(max int) *ReplayCache {
	if max <= 0 {
		max = 100_000
	}
	return &ReplayCache{seen: map[string]time.Time{}, max: max}
}

// Use records the proof's jti (scoped by its key) until until, and reports
// whether it was fresh.
func (c *ReplayCache) Use(p *Proof, until, now time.Time) bool {
	key := p.JKT + "\x00" + p.JTI
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.purge) > time.Minute || len(c.seen) >= c.max {
		c.purge = now
		for k, t := range c.seen {
			if now.After(t) {
				delete(c.seen, k)
			}
		}
	}
	if _, dup := c.seen[key]; dup || len(c.seen) >= c.max {
		return false
	}
	c.seen[key] = until
	return true
}

// Nonces issues and checks server nonces (RFC 9449 §8, §9) without state:
// a nonce is an HMAC of the current time window, and a nonce of the current
// or the previous window is valid.
type Nonces struct {
	key    [32]byte
	window time.Duration
	now    func() time.Time
}

// NewNonces returns nonces that change every window (0 means 5 min).
func NewNonces(window time.Duration, now func() time.Time) *Nonces {
	n := &Nonces{window: window, now: now}
	if n.window <= 0 {
		n.window = 5 * time.Minute
	}
	if n.now == nil {
		n.now = time.Now
	}
	_, _ = rand.Read(n.key[:])
	return n
}

func (n *Nonces) at(slot int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(slot))
	m := hmac.New(sha256.New, n.key[:])
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (n *Nonces) slot() int64 { return n.now().UnixNano() / int64(n.window) }

// Current is the nonce to hand out now.
func (n *Nonces) Current() string { return n.at(n.slot()) }

// Valid reports whether nonce is the current or the previous window's.
func (n *Nonces) Valid(nonce string) bool {
	s := n.slot()
	return hmac.Equal([]byte(nonce), []byte(n.at(s))) || hmac.Equal([]byte(nonce), []byte(n.at(s-1)))
}
