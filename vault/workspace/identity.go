package workspace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"golang.org/x/crypto/ssh"
)

// Identity is one of this person's private keys that can open shared
// values: an SSH private key (ed25519 or RSA, passphrase-protected or not)
// or an age identity file.
type Identity struct {
	// Path is the key file.
	Path string
	// Recipient is its public key, as team members are written.
	Recipient string

	id age.Identity
	// sshKey is an SSH key's public key, x25519 an age key: what tells,
	// without a passphrase, whether a shared value opens with it (probe.go).
	sshKey ssh.PublicKey
	x25519 *age.X25519Identity
}

// IdentityOptions say where this person's keys are.
type IdentityOptions struct {
	// Paths are key files to use; empty means DefaultIdentityPaths.
	Paths []string
	// Explicit says Paths were named by the person ($AUTHDECK_IDENTITY):
	// a missing or unreadable one is then an error, not skipped.
	Explicit bool
	// Passphrase asks for a passphrase-protected SSH key's passphrase; it is
	// called only when a shared value is encrypted to that key.
	Passphrase func(path string) ([]byte, error)
}

// DefaultIdentityPaths are the key files tried when none are named:
// ~/.ssh/id_ed25519, ~/.ssh/id_rsa and the age key authdeck can generate
// (home/team-key.txt).
func DefaultIdentityPaths(userHome, authdeckHome string) []string {
	var out []string
	if userHome != "" {
		out = append(out, filepath.Join(userHome, ".ssh", "id_ed25519"), filepath.Join(userHome, ".ssh", "id_rsa"))
	}
	if authdeckHome != "" {
		out = append(out, filepath.Join(authdeckHome, TeamKeyFile))
	}
	return out
}

// TeamKeyFile is the age identity `authdeck team keygen` writes in the
// authdeck home, for people without an SSH key.
const TeamKeyFile = "team-key.txt"

// LoadIdentities reads the key files. Files that do not exist are skipped
// unless named explicitly; a file that is not a key is an error naming it.
func LoadIdentities(opts IdentityOptions) ([]Identity, error) {
	var out []Identity
	for _, p := range opts.Paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && !opts.Explicit {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the key %s: %w", p, err)
		}
		ids, err := parseIdentityFile(p, data, opts.Passphrase)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

func parseIdentityFile(p string, data []byte, passphrase func(string) ([]byte, error)) ([]Identity, error) {
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return parseSSHIdentity(p, data, passphrase)
	}
	if bytes.Contains(data, []byte("AGE-SECRET-KEY-")) {
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("the age key file %s: %v", p, err)
		}
		var out []Identity
		for _, id := range ids {
			x, ok := id.(*age.X25519Identity)
			if !ok {
				continue
			}
			out = append(out, Identity{Path: p, Recipient: x.Recipient().String(), id: x, x25519: x})
		}
		return out, nil
	}
	if armored(data) || bytes.HasPrefix(data, []byte("age-encryption.org/")) {
		// A passphrase-encrypted age identity (age -p) is not read: its
		// public key, which the team lists and shared files are told apart
		// by (probe.go: X25519 stanzas name no one), is known only after
		// its passphrase, so every listing of values would have to ask.
		return nil, fmt.Errorf("%s is an encrypted age file; authdeck reads age keys unencrypted (AGE-SECRET-KEY-1…, as 'authdeck team keygen' writes), or a passphrase-protected SSH key", p)
	}
	return nil, fmt.Errorf("%s is not an SSH private key or an age key file", p)
}

func parseSSHIdentity(p string, data []byte, passphrase func(string) ([]byte, error)) ([]Identity, error) {
	signer, err := ssh.ParsePrivateKey(data)
	if err == nil {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			return nil, fmt.Errorf("the SSH key %s: %v", p, err)
		}
		m, err := ParseRecipient(withComment(p, signer.PublicKey()))
		if err != nil {
			return nil, fmt.Errorf("the SSH key %s: %v", p, err)
		}
		return []Identity{{Path: p, Recipient: m.Recipient, id: id, sshKey: signer.PublicKey()}}, nil
	}
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, fmt.Errorf("the SSH key %s: %v", p, err)
	}
	pk := missing.PublicKey
	if pk == nil {
		pubData, rerr := os.ReadFile(p + pubExt)
		if rerr != nil {
			return nil, fmt.Errorf("the SSH key %s is passphrase-protected and its public key (%s.pub) cannot be read: %v", p, p, rerr)
		}
		if pk, _, _, _, rerr = ssh.ParseAuthorizedKey(pubData); rerr != nil {
			return nil, fmt.Errorf("%s.pub: %v", p, rerr)
		}
	}
	ask := func() ([]byte, error) {
		if passphrase == nil {
			return nil, fmt.Errorf("the SSH key %s needs its passphrase and there is no terminal to ask on", p)
		}
		return passphrase(p)
	}
	eid, err := agessh.NewEncryptedSSHIdentity(pk, data, ask)
	if err != nil {
		return nil, fmt.Errorf("the SSH key %s: %v", p, err)
	}
	m, err := ParseRecipient(withComment(p, pk))
	if err != nil {
		return nil, fmt.Errorf("the SSH key %s: %v", p, err)
	}
	return []Identity{{Path: p, Recipient: m.Recipient, id: &oneAtATime{id: eid}, sshKey: pk}}, nil
}

// oneAtATime unwraps with a passphrase-protected key one value at a time:
// the key asks for its passphrase until it is first opened, and values
// opened at once (the TUI checks several) would each ask for it.
type oneAtATime struct {
	mu sync.Mutex
	id age.Identity
}

// Unwrap is the key's Unwrap, after any other still at work.
func (o *oneAtATime) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.id.Unwrap(stanzas)
}

// withComment writes pk as an authorized_keys line with the comment of the
// key's .pub file (user@host), when that file holds the same key.
func withComment(p string, pk ssh.PublicKey) string {
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	data, err := os.ReadFile(p + pubExt)
	if err != nil {
		return line
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil || !bytes.Equal(pub.Marshal(), pk.Marshal()) || comment == "" {
		return line
	}
	return line + " " + comment
}

// GenerateTeamKey writes a new age X25519 identity to path (0600, refusing
// to overwrite) and returns its recipient, to hand to the team.
func GenerateTeamKey(path string) (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s already exists; it is your team key (its public key: authdeck team whoami)", path)
	}
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# authdeck team key: the private half of %s\n%s\n", id.Recipient(), id)
	if err := w.Flush(); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return "", err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}

// armorHeader starts an armored age file.
const armorHeader = "-----BEGIN AGE ENCRYPTED FILE-----"

// armored reports whether an age file that starts with start is armored.
func armored(start []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(start, " \t\r\n"), []byte(armorHeader))
}

// encryptShared encrypts a shared value to every member, armored (text, so
// it diffs and merges as a file, and `age -d` reads it as it is).
func encryptShared(value []byte, members []Member) ([]byte, error) {
	if len(members) == 0 {
		return nil, errors.New("the team has no members to share with: add one with 'authdeck team add ~/.ssh/id_ed25519.pub'")
	}
	rs := make([]age.Recipient, len(members))
	for i, m := range members {
		rs[i] = m.r
	}
	var b bytes.Buffer
	aw := armor.NewWriter(&b)
	w, err := age.Encrypt(aw, rs...)
	if err != nil {
		return nil, fmt.Errorf("encrypting a shared value: %w", err)
	}
	if _, err := w.Write(value); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// maxSharedFile bounds a shared value's file.
const maxSharedFile = 1 << 20

// ErrNotRecipient means a shared value is not encrypted to any of this
// person's keys.
var ErrNotRecipient = errors.New("not encrypted to any of your keys")

// errNoKey is why no shared value opens for a person without a key.
var errNoKey = fmt.Errorf("%w (no key found: set AUTHDECK_IDENTITY, or have ~/.ssh/id_ed25519)", ErrNotRecipient)

// decryptShared opens a shared value with this person's identities.
func decryptShared(data []byte, ids []Identity) ([]byte, error) {
	if len(data) > maxSharedFile {
		return nil, fmt.Errorf("a shared value's file is %d bytes; at most %d are read", len(data), maxSharedFile)
	}
	var src io.Reader = bytes.NewReader(data)
	if armored(data) {
		src = armor.NewReader(src)
	}
	ais := make([]age.Identity, len(ids))
	for i, id := range ids {
		ais[i] = id.id
	}
	if len(ais) == 0 {
		return nil, errNoKey
	}
	r, err := age.Decrypt(src, ais...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrNotRecipient
		}
		return nil, fmt.Errorf("decrypting: %s", unquoted(err))
	}
	out, err := io.ReadAll(io.LimitReader(r, maxSharedFile+1))
	if err != nil {
		return nil, fmt.Errorf("decrypting: %v", err)
	}
	return out, nil
}
