package oauth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
)

// DPoP on the client side (RFC 9449): a client with DPoP on signs a proof
// for every request to the token, device and pushed authorization
// endpoints, and (in package request) for every resource request with its
// tokens. Proofs are made with the client's own key, kept in the vault with
// its credentials (S-44). A server that asks for a nonce (use_dpop_nonce
// with a DPoP-Nonce header) gets one retry with it; the latest nonce of each
// server is remembered for the engine's lifetime.

// ProofKey returns the DPoP key of an auth client's credentials, or nil
// when the client does not use DPoP. A client with DPoP on and no usable
// key is KindNotConfigured: its tokens must never go out without a proof.
func ProofKey(ac vault.AuthClient, creds vault.ClientCredentials) (*dpop.Key, error) {
	if !ac.DPoP {
		return nil, nil
	}
	if creds.DPoPKey == "" {
		return nil, newError(KindNotConfigured, "DPoP",
			fmt.Sprintf("auth client %q uses DPoP but has no DPoP key", ac.Name),
			"give it one: authdeck client add "+ac.Name+" … --dpop", nil)
	}
	k, err := dpop.ParseKey(creds.DPoPKey)
	if err != nil {
		return nil, newError(KindNotConfigured, "DPoP", fmt.Sprintf("the DPoP key of auth client %q is not usable: %s", ac.Name, err), "", nil)
	}
	if ac.DPoPKeyID != "" && ac.DPoPKeyID != k.Thumbprint() {
		return nil, newError(KindNotConfigured, "DPoP", fmt.Sprintf("the DPoP key of auth client %q is not the one the client names (%s)", ac.Name, ac.DPoPKeyID), "", nil)
	}
	return k, nil
}

// proofKey is ProofKey with the parsed keys of the engine's lifetime
// reused: parsing a PEM EC key costs more than signing a proof with it.
func (e *Engine) proofKey(ac vault.AuthClient, creds vault.ClientCredentials) (*dpop.Key, error) {
	if !ac.DPoP || creds.DPoPKey == "" {
		return ProofKey(ac, creds)
	}
	id := sha256.Sum256([]byte(creds.DPoPKey))
	if k, ok := e.dpopKeys.Load(id); ok {
		key := k.(*dpop.Key)
		if ac.DPoPKeyID != "" && ac.DPoPKeyID != key.Thumbprint() {
			return ProofKey(ac, creds)
		}
		return key, nil
	}
	key, err := ProofKey(ac, creds)
	if err == nil {
		e.dpopKeys.Store(id, key)
		e.dpopByJKT.Store(key.Thumbprint(), key)
	}
	return key, err
}

// origin is scheme://host of u, the scope of a server nonce.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return strings.ToLower(p.Scheme) + "://" + strings.ToLower(p.Host)
}

// Nonce returns the latest DPoP-Nonce the server at u's origin gave.
func (e *Engine) Nonce(u string) string {
	v, _ := e.dpopNonces.Load(origin(u))
	s, _ := v.(string)
	return s
}

// SetNonce remembers a DPoP-Nonce from the server at u's origin.
func (e *Engine) SetNonce(u, nonce string) {
	if nonce != "" && len(nonce) <= 1024 && !strings.ContainsAny(nonce, " \t\r\n\"") {
		e.dpopNonces.Store(origin(u), nonce)
	}
}

// doDPoP sends c with a DPoP proof when the flow has a key (f.do otherwise),
// and retries once with the server's nonce when it asks for one.
func (f *flow) doDPoP(ctx context.Context, c call) (*response, error) {
	if f.dpop == nil {
		return f.do(ctx, c)
	}
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	for attempt := 0; ; attempt++ {
		nonce := f.e.Nonce(c.url)
		proof, err := f.dpop.Proof(method, c.url, dpop.ProofOptions{Nonce: nonce, Now: f.e.now()})
		if err != nil {
			return nil, newError(KindOther, c.step, "making the DPoP proof", "", err)
		}
		cc := c
		cc.header = c.header.Clone()
		if cc.header == nil {
			cc.header = http.Header{}
		}
		cc.header.Set(dpop.HeaderName, proof)
		cc.note = "DPoP proof signed by key " + f.dpop.Thumbprint()
		if nonce != "" {
			cc.note += " with the server's nonce"
		}
		resp, err := f.do(ctx, cc)
		if err != nil {
			return nil, err
		}
		fresh := resp.header.Get(dpop.NonceHeader)
		f.e.SetNonce(c.url, fresh)
		if attempt == 0 && fresh != "" && fresh != nonce && wantsNonce(resp) {
			f.tr.note(c.step, "the server asked for a DPoP nonce (use_dpop_nonce); sending the request again with it")
			continue
		}
		return resp, nil
	}
}

// wantsNonce reports a token-endpoint style use_dpop_nonce error (RFC 9449 §8).
func wantsNonce(resp *response) bool {
	if resp.status < 400 || resp.status > 499 {
		return false
	}
	m, err := decodeFields("DPoP", resp.status, resp.contentType, resp.body)
	if err != nil {
		return false
	}
	code, _ := scalarString(m["error"])
	return code == dpop.ErrUseNonce
}

// dpopAuth gives a DPoP-bound token for resource requests with the prover
// of the key it is bound to, and refuses it when the client no longer
// holds that key: the token never goes out without its proof (S-44).
func (e *Engine) dpopAuth(ctx context.Context, req TokenRequest, r *Result) (*RequestAuth, error) {
	t, err := e.resolve(req)
	if err != nil {
		return nil, err
	}
	if t.client == nil || !t.client.DPoP {
		return nil, newError(KindNotConfigured, "request",
			fmt.Sprintf("the token of %q is DPoP-bound, and its auth client has no DPoP key to prove it with, so it cannot be sent", t.name),
			"turn DPoP back on for the client, or sign in again: authdeck token "+t.name+" --force", nil)
	}
	key, err := e.cachedProofKey(ctx, *t.client)
	if err != nil {
		return nil, err
	}
	if key.Thumbprint() != r.DPoPJKT {
		return nil, newError(KindNotConfigured, "request",
			fmt.Sprintf("the token of %q is bound to DPoP key %s, not to the client's key %s, so it cannot be sent", t.name, r.DPoPJKT, key.Thumbprint()),
			"sign in again: authdeck token "+t.name+" --force", nil)
	}
	return &RequestAuth{Token: r.AccessToken, DPoP: &prover{e: e, key: key, token: r.AccessToken}}, nil
}

// cachedProofKey is the client's DPoP key: from the engine's keys by the
// thumbprint the client names, else read with its credentials.
func (e *Engine) cachedProofKey(ctx context.Context, ac vault.AuthClient) (*dpop.Key, error) {
	if ac.DPoPKeyID != "" {
		if k, ok := e.dpopByJKT.Load(ac.DPoPKeyID); ok {
			return k.(*dpop.Key), nil
		}
	}
	creds, err := e.Vault.ClientCredentials(ctx, ac)
	if err != nil {
		return nil, vaultError("reading the client's DPoP key", err)
	}
	key, err := e.proofKey(ac, creds)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, newError(KindNotConfigured, "DPoP", fmt.Sprintf("auth client %q has no DPoP key", ac.Name), "", nil)
	}
	return key, nil
}

// prover makes the proofs of one DPoP-bound token's resource requests.
type prover struct {
	e     *Engine
	key   *dpop.Key
	token string
}

func (p *prover) Proof(method, u string) (string, error) {
	return p.key.Proof(method, u, dpop.ProofOptions{AccessToken: p.token, Nonce: p.e.Nonce(u), Now: p.e.now()})
}

func (p *prover) SetNonce(u, nonce string) { p.e.SetNonce(u, nonce) }

func (p *prover) KeyID() string { return p.key.Thumbprint() }
