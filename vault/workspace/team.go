package workspace

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/authdeck/authdeck/vault"
)

// Member is one of the team a workspace shares values with: a name (the
// file team/NAME.pub) and a public key, an age X25519 recipient
// ("age1…") or an SSH public key ("ssh-ed25519 …", "ssh-rsa …"), so a
// teammate's existing ~/.ssh/id_ed25519.pub will do.
type Member struct {
	// Name is how the team knows the member.
	Name string
	// Recipient is the public key as written ("age1…" or "ssh-ed25519 AAAA… comment").
	Recipient string
	// Kind is "age", "ssh-ed25519" or "ssh-rsa".
	Kind string
	// Fingerprint identifies the key in a line: SHA256:… of the SSH key,
	// or the age recipient itself, shortened.
	Fingerprint string

	r age.Recipient
}

// AgeRecipient returns the member's key as an age recipient.
func (m Member) AgeRecipient() age.Recipient { return m.r }

// ParseRecipient reads a public key as a team member's: an age X25519
// recipient or an SSH ed25519 or RSA public key (an authorized_keys line).
// A private key is refused without repeating it.
func ParseRecipient(s string) (Member, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Member{}, errors.New("no public key given")
	case strings.HasPrefix(s, "AGE-SECRET-KEY-") || strings.Contains(s, "PRIVATE KEY"):
		return Member{}, errors.New("that is a private key: give the public key (age1… or the .pub file of an SSH key) and keep the private key to yourself")
	case strings.HasPrefix(s, "age1pq1"):
		return Member{}, errors.New("post-quantum age recipients (age1pq1…) cannot be mixed with X25519 and SSH keys in one file; give an age1… X25519 key or an SSH key")
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Member{}, fmt.Errorf("not an age recipient: %v", err)
		}
		fp := r.String()
		return Member{Recipient: r.String(), Kind: "age", Fingerprint: fp[:12] + "…" + fp[len(fp)-6:], r: r}, nil
	case strings.HasPrefix(s, "ssh-ed25519 ") || strings.HasPrefix(s, "ssh-rsa "):
		pk, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return Member{}, fmt.Errorf("not an SSH public key: %v", err)
		}
		if len(strings.TrimSpace(string(rest))) > 0 {
			return Member{}, errors.New("give one public key, not several")
		}
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return Member{}, err
		}
		line := pk.Type() + " " + base64.StdEncoding.EncodeToString(pk.Marshal())
		if comment != "" {
			line += " " + comment
		}
		sum := sha256.Sum256(pk.Marshal())
		return Member{Recipient: line, Kind: pk.Type(), Fingerprint: "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:]), r: r}, nil
	case strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-") || strings.HasPrefix(s, "sk-"):
		kind, _, _ := strings.Cut(s, " ")
		return Member{}, fmt.Errorf("%s keys cannot receive age-encrypted files; use an ssh-ed25519 or ssh-rsa key, or an age key", kind)
	}
	return Member{}, errors.New("not a public key: give an age recipient (age1…), an SSH public key (ssh-ed25519 …), or a path to a .pub file")
}

// ReadRecipientArg reads a RECIPIENT argument: a path to a public key file,
// or the key itself.
func ReadRecipientArg(arg string) (Member, error) {
	if strings.HasPrefix(arg, "age1") || strings.HasPrefix(arg, "ssh-") {
		return ParseRecipient(arg)
	}
	fi, err := os.Stat(arg)
	if err != nil {
		return Member{}, fmt.Errorf("%q is neither a public key (age1…, ssh-ed25519 …) nor a readable file: %v", arg, errors.Unwrap(err))
	}
	if fi.Size() > 16<<10 {
		return Member{}, fmt.Errorf("%s is %d bytes; a public key file is a line", arg, fi.Size())
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return Member{}, err
	}
	m, err := ParseRecipient(firstKeyLine(string(b)))
	if err != nil {
		return Member{}, fmt.Errorf("%s: %w", arg, err)
	}
	return m, nil
}

// firstKeyLine returns the first line that is not blank or a comment.
func firstKeyLine(s string) string {
	if strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, "AGE-SECRET-KEY-") {
		return s // refused by ParseRecipient, without the key in the message
	}
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// DefaultMemberName suggests a name for a member: an SSH key's comment
// (user@host, with '@' and what follows dropped when that leaves a name).
func DefaultMemberName(m Member) string {
	if m.Kind == "age" {
		return ""
	}
	f := strings.Fields(m.Recipient)
	if len(f) < 3 {
		return ""
	}
	c := strings.Join(f[2:], " ")
	if user, _, ok := strings.Cut(c, "@"); ok && user != "" {
		c = user
	}
	if vault.ValidateName("team member", c) != nil {
		return ""
	}
	return c
}

// parseMemberFile reads team/NAME.pub.
func parseMemberFile(path string, data []byte, name string) (Member, error) {
	line := firstKeyLine(string(data))
	m, err := ParseRecipient(line)
	if err != nil {
		return Member{}, fileErr(path, 1, "%v", err)
	}
	m.Name = name
	return m, nil
}

func encodeMember(m Member) []byte { return []byte(m.Recipient + "\n") }
