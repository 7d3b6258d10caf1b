package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault"
)

// DefaultRefreshSkew is how long before expiry a token is refreshed (S-22).
const DefaultRefreshSkew = 30 * time.Second

// refresh runs the refresh token grant (RFC 6749 §6). scopes may narrow the
// request; empty keeps the original grant's scope, prevScope, which is also
// what an answer without a scope means.
func (f *flow) refresh(ctx context.Context, refreshToken string, scopes []string, prevScope string) (*Result, error) {
	if refreshToken == "" {
		return nil, newError(KindMissingInput, "refresh", fmt.Sprintf("no refresh token is stored for %q", f.name),
			"sign in again: authdeck token "+f.name+" --force", nil)
	}
	f.red.addValue(refreshToken)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := f.tokenRequest(ctx, "refresh", form)
	if err != nil {
		return nil, refreshError(err, f.name)
	}
	requested := scopes
	if len(requested) == 0 {
		requested = splitScopes(prevScope)
	}
	r := newResult(tok, requested, "refresh_token", f.e.now())
	r.Refreshed = true
	if r.RefreshToken == "" {
		// RFC 6749 §6: no new refresh token means the old one stays valid (S-20).
		r.RefreshToken = refreshToken
	} else if r.RefreshToken != refreshToken {
		f.tr.note("refresh", "the server rotated the refresh token; the new one is stored before the access token is used")
	}
	return r, nil
}

// skewFor is how long before expiry a stored token counts as stale: the
// client's RefreshSkew (default 30 s), but never more than half the token's
// lifetime, so short-lived tokens are still used.
func skewFor(ac vault.AuthClient, issued, expiry time.Time) time.Duration {
	skew := DefaultRefreshSkew
	if ac.RefreshSkew > 0 {
		skew = ac.RefreshSkew.Std()
	}
	if !issued.IsZero() && expiry.After(issued) {
		if half := expiry.Sub(issued) / 2; skew > half {
			skew = half
		}
	}
	return skew
}

// lockKey identifies a token set across goroutines and processes.
func lockKey(env, secret string) string {
	h := sha256.Sum256([]byte(env + "\x00" + secret))
	return hex.EncodeToString(h[:12])
}

// exclusive runs fn once per token set at a time: concurrent callers with
// the same flight share one run (single-flight), runs of different flights
// on one token set (Token and Refresh) take turns on a per-key semaphore,
// and other processes wait on a lock file in LockDir (S-21). fn re-reads the
// stored token first, so a token another caller just obtained is reused
// rather than refreshed again.
func (e *Engine) exclusive(ctx context.Context, flight, key string, fn func(context.Context) (*Result, error)) (*Result, error) {
	var mine atomic.Bool // fn runs on this caller's ctx
	ch := e.group.DoChan(flight, func() (any, error) {
		mine.Store(true)
		release, err := e.acquire(ctx, key)
		if err != nil {
			return nil, err
		}
		defer release()
		if e.LockDir == "" {
			return fn(ctx)
		}
		unlock, err := e.lockFile(ctx, key)
		if err != nil {
			return nil, err
		}
		defer unlock()
		return fn(ctx)
	})
	select {
	case <-ctx.Done():
		// fn stops at once on this ctx, except the storing of an answer
		// the server already gave (S-39): wait for that, so a process that
		// exits after a signal does not cut it short. A caller that only
		// shares another's flight has nothing of its own to wait for.
		if mine.Load() {
			select {
			case <-ch:
			case <-time.After(PersistTimeout + time.Second):
			}
		}
		return nil, newError(KindAborted, "token", "cancelled", "", ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		cp := *res.Val.(*Result)
		return &cp, nil
	}
}

// acquire takes the in-process semaphore of key, or gives up when ctx ends.
func (e *Engine) acquire(ctx context.Context, key string) (func(), error) {
	e.init()
	e.mu.Lock()
	sem, ok := e.sems[key]
	if !ok {
		sem = make(chan struct{}, 1)
		e.sems[key] = sem
	}
	e.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, newError(KindAborted, "token", "cancelled while another flow of this token set ran", "", ctx.Err())
	}
}

func (e *Engine) lockTimeout() time.Duration {
	if e.LockTimeout > 0 {
		return e.LockTimeout
	}
	return e.callbackTimeout() + time.Minute
}

// lockFile takes the cross-process lock of key, waiting at most lockTimeout.
func (e *Engine) lockFile(ctx context.Context, key string) (func(), error) {
	if err := vault.EnsurePrivateDir(e.LockDir); err != nil {
		return nil, &Error{Kind: KindVault, Op: "lock", Reason: "cannot create the lock directory", Err: err}
	}
	fl := flock.New(filepath.Join(e.LockDir, "token-"+key+".lock"), flock.SetPermissions(0o600))
	lctx, cancel := context.WithTimeout(ctx, e.lockTimeout())
	defer cancel()
	ok, err := fl.TryLockContext(lctx, 20*time.Millisecond)
	if err != nil || !ok {
		if ctx.Err() != nil {
			return nil, newError(KindAborted, "lock", "cancelled while waiting for another authdeck process", "", ctx.Err())
		}
		return nil, &Error{
			Kind: KindOther, Op: "lock", Reason: "another authdeck process holds this token's lock for too long",
			Hint: "finish or stop the other authdeck process, then try again", Err: err,
		}
	}
	return func() { _ = fl.Unlock() }, nil
}
