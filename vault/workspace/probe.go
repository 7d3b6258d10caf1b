package workspace

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
	"golang.org/x/crypto/ssh"
)

// Whether a shared value opens for this person is told from its file's age
// header alone, so that listing what they still have to set (doctor, the
// TUI's "not set" marks) never asks for a key's passphrase and never opens
// a value: a value is opened only when it is used.
//
//   - An SSH recipient's stanza (ssh-ed25519, ssh-rsa) names its key by a
//     tag, the first 4 bytes of the SHA-256 of the key's SSH wire-format
//     public key, which every SSH identity has without its passphrase: the
//     .pub beside the key, or the public key an OpenSSH key file carries
//     unencrypted. The tag is 32 bits: another member's key with the same
//     tag (about one in four billion) would pass here and fail when used.
//   - An age X25519 stanza names no one. An X25519 identity is a plain key
//     file (LoadIdentities reads no encrypted identity file), and unwrapping
//     the file key with it is a few microseconds of arithmetic that asks
//     for nothing, so the probe unwraps. The header's MAC is not checked:
//     a damaged file still fails when the value is used, with its error.
//
// Every Identity LoadIdentities returns is one of the two, so the answer is
// always decided without a passphrase.

// errProbeMatch ends a header probe at its first key that matches.
var errProbeMatch = errors.New("encrypted to one of your keys")

// maxSharedHeader bounds what a probe reads of a shared value's file: far
// more than the header of a file to a team of hundreds (an ssh-rsa stanza
// of a 4096-bit key is under 800 bytes, armored).
const maxSharedHeader = 256 << 10

// canOpen reports whether the age file at path (armored or binary) is
// encrypted to one of ids, from its header only (see above). A file that
// cannot be read, is not an age file, or whose header does not parse is an
// error that names it as name.
func canOpen(path, name string, ids []Identity) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	ok, err := headerOpens(io.LimitReader(f, maxSharedHeader), ids)
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return ok, nil
}

// headerOpens reports whether the age file read from src is encrypted to
// one of ids, reading its header only.
func headerOpens(src io.Reader, ids []Identity) (bool, error) {
	br := bufio.NewReaderSize(src, 4096)
	// armor.NewReader skips up to 1 KiB of blank lines before the armor.
	start, err := br.Peek(len(armorHeader) + 1100)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return false, fmt.Errorf("reading the header: %w", err)
	}
	var in io.Reader = br
	if armored(start) {
		in = armor.NewReader(br)
	}
	hdr, err := age.ExtractHeader(in)
	if err != nil {
		return false, fmt.Errorf("not a readable age file (%s)", unquoted(err))
	}
	p := &headerProbe{ids: ids}
	_, err = age.DecryptHeader(hdr, p)
	var nm *age.NoIdentityMatchError
	switch {
	case errors.Is(err, errProbeMatch):
		return true, nil
	case p.err != nil:
		return false, p.err
	case errors.As(err, &nm):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("not a readable age file (%s)", unquoted(err))
	}
	// DecryptHeader returned a file key, which the probe never does.
	return false, errors.New("the age header probe unwrapped a file key")
}

// headerProbe is an age.Identity that unwraps nothing: handed the header's
// stanzas, it looks for one of ids among them and ends the decryption with
// errProbeMatch when it finds one, or age.ErrIncorrectIdentity.
type headerProbe struct {
	ids []Identity
	err error
}

// Unwrap looks for one of the probe's keys among the stanzas.
func (p *headerProbe) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, id := range p.ids {
		ok, err := id.named(stanzas)
		if err != nil {
			p.err = err
			return nil, err
		}
		if ok {
			return nil, errProbeMatch
		}
	}
	return nil, age.ErrIncorrectIdentity
}

// named reports whether the stanzas hold a file key for this identity,
// without its passphrase (see the top of this file).
func (id Identity) named(stanzas []*age.Stanza) (bool, error) {
	switch {
	case id.sshKey != nil:
		typ, tag := id.sshKey.Type(), sshTag(id.sshKey)
		for _, s := range stanzas {
			if s.Type != typ {
				continue
			}
			if len(s.Args) == 0 {
				return false, fmt.Errorf("a %s stanza of the header has no key tag", s.Type)
			}
			if s.Args[0] == tag {
				return true, nil
			}
		}
		return false, nil
	case id.x25519 != nil:
		_, err := id.x25519.Unwrap(stanzas)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, age.ErrIncorrectIdentity):
			return false, nil
		}
		return false, fmt.Errorf("an X25519 stanza of the header is damaged: %v", err)
	}
	// No Identity is built without one of the two (parseIdentityFile).
	return false, fmt.Errorf("the key %s cannot be matched without opening it", id.Path)
}

// sshTag is how an age stanza names an SSH key: the first 4 bytes of the
// SHA-256 of its wire-format public key, base64 without padding (as
// filippo.io/age/agessh writes it).
func sshTag(pk ssh.PublicKey) string {
	sum := sha256.Sum256(pk.Marshal())
	return base64.RawStdEncoding.EncodeToString(sum[:4])
}

// unquoted is err's message up to the first text it quotes from the file:
// age's parse errors quote the line they stop at, and a file that is not
// what it should be may hold a value in plain text (S-42).
func unquoted(err error) string {
	msg := err.Error()
	if i := strings.IndexAny(msg, "\"`"); i >= 0 {
		msg = strings.TrimRight(msg[:i], ": ,")
	}
	if msg == "" {
		return "unreadable"
	}
	return msg
}
