package oauth1provider

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// tempToken is a set of temporary credentials and where its authorization stands.
type tempToken struct {
	consumer   string
	secret     string
	callback   string
	expires    time.Time
	csrf       string
	authorized bool
	verifier   string
	user       string
	used       bool
}

// accessToken is a set of token credentials.
type accessToken struct {
	consumer string
	secret   string
	user     string
}

// state is everything the provider remembers. One mutex: it is a test server.
type state struct {
	mu        sync.Mutex
	cfg       Config
	consumers map[string]*Consumer
	order     []string
	temps     map[string]*tempToken
	tokens    map[string]*accessToken
	nonces    map[string]time.Time
}

func newState(cfg Config) *state {
	return &state{
		cfg: cfg, consumers: map[string]*Consumer{}, temps: map[string]*tempToken{},
		tokens: map[string]*accessToken{}, nonces: map[string]time.Time{},
	}
}

func (st *state) addConsumer(c Consumer) error {
	if c.Key == "" {
		return errors.New("oauth1provider: a consumer needs a key")
	}
	if c.Secret == "" && c.PublicKey == nil {
		return fmt.Errorf("oauth1provider: consumer %q needs a secret or an RSA public key", c.Key)
	}
	if c.Name == "" {
		c.Name = c.Key
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.consumers[c.Key]; dup {
		return fmt.Errorf("oauth1provider: consumer %q is already registered", c.Key)
	}
	st.consumers[c.Key] = &c
	st.order = append(st.order, c.Key)
	return nil
}

func (st *state) consumerList() []Consumer {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]Consumer, 0, len(st.order))
	for _, k := range st.order {
		out = append(out, *st.consumers[k])
	}
	return out
}

// maxTemps bounds the temporary credentials kept, so a client looping on
// the request-token endpoint cannot grow the server without limit.
const maxTemps = 10000

// newTemp issues temporary credentials, first forgetting those long expired.
func (st *state) newTemp(consumer, callback string) (string, *tempToken, error) {
	now := st.cfg.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, t := range st.temps {
		// Expired ones stay a while so a late exchange hears "expired", not "unknown".
		if now.After(t.expires.Add(st.cfg.TempTokenLifetime)) {
			delete(st.temps, k)
		}
	}
	if len(st.temps) >= maxTemps {
		return "", nil, errors.New("too many pending authorizations")
	}
	tok := randomToken(16)
	t := &tempToken{
		consumer: consumer, secret: randomToken(24), callback: callback,
		expires: now.Add(st.cfg.TempTokenLifetime), csrf: randomToken(16),
	}
	st.temps[tok] = t
	return tok, t, nil
}

// seenNonce records nonce for (consumer, token, timestamp) and reports
// whether it was used before. Entries older than the timestamp window are
// dropped: their timestamps are refused anyway.
func (st *state) seenNonce(consumer, token, timestamp, nonce string, ts time.Time) bool {
	key := consumer + "\x00" + token + "\x00" + timestamp + "\x00" + nonce
	now := st.cfg.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.nonces[key]; ok {
		return true
	}
	if len(st.nonces) >= 1024 {
		for k, t := range st.nonces {
			if now.Sub(t) > st.cfg.TimestampWindow || t.Sub(now) > st.cfg.TimestampWindow {
				delete(st.nonces, k)
			}
		}
	}
	st.nonces[key] = ts
	return false
}
