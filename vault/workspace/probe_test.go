package workspace

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/authdeck/authdeck/vault"
)

// needTool returns the path of a program the test runs, skipping the test
// without it outside CI and failing it in CI.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func run(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

// cliKey is one key made by ssh-keygen or age-keygen.
type cliKey struct {
	name, path, pass string
	// recipient is how the age CLI is told to encrypt to it.
	recipientFlag, recipient string
}

// The probe answers, from the header of files the age CLI wrote, exactly
// what opening them answers: for SSH keys made by ssh-keygen (ed25519 and
// RSA, with and without a passphrase, RSA also in the old PEM form whose
// private file carries no public key) and an age-keygen X25519 key, each
// to itself, to several, and to someone else. No passphrase is asked.
func TestHeaderProbeAgainstAgeCLI(t *testing.T) {
	t.Parallel()
	ageBin, keygen, ageKeygen := needTool(t, "age"), needTool(t, "ssh-keygen"), needTool(t, "age-keygen")
	dir := t.TempDir()
	var keys []cliKey
	ssh := func(name, pass string, args ...string) {
		p := filepath.Join(dir, name)
		run(t, "", keygen, append([]string{"-q", "-N", pass, "-C", name + "@test", "-f", p}, args...)...)
		keys = append(keys, cliKey{name: name, path: p, pass: pass, recipientFlag: "-R", recipient: p + ".pub"})
	}
	ssh("ed25519", "", "-t", "ed25519")
	ssh("ed25519-pass", "ed pass 1", "-t", "ed25519")
	ssh("rsa", "", "-t", "rsa", "-b", "2048")
	ssh("rsa-pass", "rsa pass 1", "-t", "rsa", "-b", "3072")
	ssh("rsa-pem-pass", "pem pass 1", "-t", "rsa", "-b", "2048", "-m", "PEM")
	agePath := filepath.Join(dir, "age-key.txt")
	run(t, "", ageKeygen, "-o", agePath)
	ageID, err := os.ReadFile(agePath)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(ageID))
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, cliKey{name: "age", path: agePath, recipientFlag: "-r", recipient: ids[0].(*age.X25519Identity).Recipient().String()})
	if head, _ := os.ReadFile(filepath.Join(dir, "rsa-pem-pass")); !bytes.Contains(head, []byte("BEGIN RSA PRIVATE KEY")) {
		t.Fatalf("ssh-keygen -m PEM wrote no PEM key:\n%.40s", head)
	}

	// Someone else's keys, for files not for any of the keys above.
	run(t, "", keygen, "-q", "-N", "", "-t", "ed25519", "-f", filepath.Join(dir, "other"))
	otherAge := strings.TrimSpace(run(t, "", ageKeygen))
	otherIDs, err := age.ParseIdentities(strings.NewReader(otherAge))
	if err != nil {
		t.Fatal(err)
	}
	otherRecipient := otherIDs[0].(*age.X25519Identity).Recipient().String()

	// Files: one to each key (armored and binary), one to all of them, one
	// to the ed25519 key and someone else, and two to someone else only.
	type file struct {
		name string
		to   []string // key names
	}
	var files []file
	encrypt := func(name string, armor bool, flags ...string) {
		args := []string{"-o", filepath.Join(dir, name)}
		if armor {
			args = append(args, "-a")
		}
		run(t, "sk_test_probe_value_0123456789", ageBin, append(args, flags...)...)
	}
	var all []string
	for _, k := range keys {
		encrypt(k.name+".age", true, k.recipientFlag, k.recipient)
		encrypt(k.name+".bin.age", false, k.recipientFlag, k.recipient)
		files = append(files, file{k.name + ".age", []string{k.name}}, file{k.name + ".bin.age", []string{k.name}})
		all = append(all, k.recipientFlag, k.recipient)
	}
	encrypt("all.age", true, all...)
	files = append(files, file{"all.age", []string{"ed25519", "ed25519-pass", "rsa", "rsa-pass", "rsa-pem-pass", "age"}})
	encrypt("mixed.age", true, "-R", filepath.Join(dir, "other.pub"), "-R", filepath.Join(dir, "ed25519.pub"), "-r", otherRecipient)
	files = append(files, file{"mixed.age", []string{"ed25519"}})
	encrypt("other-ssh.age", true, "-R", filepath.Join(dir, "other.pub"))
	encrypt("other-age.age", false, "-r", otherRecipient)
	files = append(files, file{"other-ssh.age", nil}, file{"other-age.age", nil})

	for _, k := range keys {
		var asked atomic.Int32
		loaded, err := LoadIdentities(IdentityOptions{Paths: []string{k.path}, Explicit: true, Passphrase: func(string) ([]byte, error) {
			asked.Add(1)
			return []byte(k.pass), nil
		}})
		if err != nil || len(loaded) != 1 {
			t.Fatalf("%s: %d keys, %v", k.name, len(loaded), err)
		}
		for _, f := range files {
			path := filepath.Join(dir, f.name)
			got, err := canOpen(path, f.name, loaded)
			if err != nil {
				t.Errorf("%s with %s: %v", f.name, k.name, err)
				continue
			}
			if want := slices.Contains(f.to, k.name); got != want {
				t.Errorf("%s with %s: the probe says %v, want %v", f.name, k.name, got, want)
			}
			if n := asked.Load(); n != 0 {
				t.Fatalf("%s with %s: the probe asked for the passphrase %d times", f.name, k.name, n)
			}
			// The oracle: opening the file (with the passphrase) agrees.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			plain, derr := decryptShared(data, loaded)
			if opened := derr == nil && string(plain) == "sk_test_probe_value_0123456789"; opened != got {
				t.Errorf("%s with %s: the probe says %v, opening it says %v (%v)", f.name, k.name, got, opened, derr)
			}
			asked.Store(0)
		}
	}
	// The age CLI opens all.age with each key without a passphrase.
	for _, k := range keys {
		if k.pass != "" {
			continue
		}
		if out := run(t, "", ageBin, "-d", "-i", k.path, filepath.Join(dir, "all.age")); out != "sk_test_probe_value_0123456789" {
			t.Errorf("age -d -i %s all.age: %q", k.name, out)
		}
	}
}

// A file that is not an age file, or whose header is damaged, is an error
// that names the file, and never quotes what the file holds (it may be a
// value in plain text).
func TestHeaderProbeDamagedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	ids := []Identity{{Path: "key.txt", Recipient: id.Recipient().String(), id: id, x25519: id}}
	m, err := ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	good, err := encryptShared([]byte("v"), []Member{m})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := headerOpens(bytes.NewReader(good), ids); !ok || err != nil {
		t.Fatalf("a good file: %v, %v", ok, err)
	}
	var bin bytes.Buffer
	w, err := age.Encrypt(&bin, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	badStanza := bytes.Replace(bin.Bytes(), []byte("-> X25519 "), []byte("-> X25519 !!"), 1)
	for name, data := range map[string][]byte{
		"plain.age":       []byte("sk_live_PLAINTEXTvalue0123456789\n"),
		"empty.age":       nil,
		"cut.age":         good[:len(good)/3],
		"intro.age":       []byte("age-encryption.org/v1\n-> sk_live_PLAINTEXTvalue0123456789\n"),
		"armor-junk.age":  []byte(armorHeader + "\nsk_live_PLAINTEXTvalue0123456789\n-----END AGE ENCRYPTED FILE-----\n"),
		"bad-stanza.age":  badStanza,
		"no-stanzas.age":  []byte("age-encryption.org/v1\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"),
		"binary-junk.age": {0, 1, 2, 0xff, 0xfe, '\n', 0x1b, '[', '2', 'J'},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ok, err := canOpen(path, "environments/dev/secrets/"+name, ids)
		switch {
		case err == nil:
			t.Errorf("%s: no error (opens: %v)", name, ok)
		case !strings.HasPrefix(err.Error(), "environments/dev/secrets/"+name+": "):
			t.Errorf("%s: the error does not start with the file: %v", name, err)
		case strings.Contains(err.Error(), "PLAINTEXT") || strings.ContainsAny(err.Error(), "\"\x1b"):
			t.Errorf("%s: the error quotes the file: %v", name, err)
		}
	}
	if _, err := canOpen(filepath.Join(dir, "gone.age"), "environments/dev/secrets/gone.age", ids); err == nil || !strings.HasPrefix(err.Error(), "reading environments/dev/secrets/gone.age: ") {
		t.Errorf("a file that is not there: %v", err)
	}
}

// newSSHPerson is a teammate whose key is a passphrase-protected ed25519
// SSH key (with its .pub beside it) and whose passphrase asks are counted.
func newSSHPerson(t *testing.T, name, pass string, asked *atomic.Int32) (*person, IdentityOptions) {
	t.Helper()
	p := newPerson(t, name)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, name, []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	p.keyPath = filepath.Join(p.home, "id_ed25519")
	if err := os.WriteFile(p.keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	spk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := ssh.MarshalAuthorizedKey(spk)
	if err := os.WriteFile(p.keyPath+".pub", line, 0o600); err != nil {
		t.Fatal(err)
	}
	if p.member, err = ParseRecipient(string(line)); err != nil {
		t.Fatal(err)
	}
	p.member.Name = name
	return p, IdentityOptions{Paths: []string{p.keyPath}, Explicit: true, Passphrase: func(string) ([]byte, error) {
		asked.Add(1)
		return []byte(pass), nil
	}}
}

// Listing what a teammate still has to set never asks for the passphrase
// of their SSH key: shared values encrypted to it count as set, shared
// values not encrypted to it and personal ones without their value are
// listed, a damaged shared file is listed with why. Using a value asks.
func TestMissingAsksNoPassphrase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := newFolder(t)
	alice := newPerson(t, "alice")
	var asked atomic.Int32
	bob, bobKey := newSSHPerson(t, "bob", "bob's key pass", &asked)
	carol := newPerson(t, "carol")
	wa, va := alice.open(t, root)
	for _, m := range []Member{alice.member, carol.member} {
		if _, err := wa.AddMember(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := va.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	put := func(name string, shared bool) {
		t.Helper()
		if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: name, Env: "dev", Shared: shared}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "sk_test_" + name + "_0123456789"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := wa.AddMember(bob.member); err != nil {
		t.Fatal(err)
	}
	put("not-to-bob", true)
	put("stripe", true)
	put("damaged", true)
	put("github", false)
	if _, err := va.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: "dev", Shared: true}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://id.example.com/token"}, ClientID: "svc",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
	}, &vault.ClientCredentials{ClientSecret: clientSec}); err != nil {
		t.Fatal(err)
	}
	// not-to-bob as a teammate without bob's key writes it (to carol only).
	ct, err := encryptShared([]byte(`{"key":"sk_test_carol_0123456789"}`), []Member{carol.member})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "environments", "dev", "secrets", "not-to-bob.age"), ct, 0o644); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(root, "environments", "dev", "secrets", "damaged.age")
	if err := os.WriteFile(damaged, []byte("age-encryption.org/v1\n-> ssh-ed25519\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	wb, err := Open(root, Options{Home: bob.home, Identity: bobKey})
	if err != nil {
		t.Fatal(err)
	}
	vb := vault.New(wb, wb.Store(bob.personal))
	missing, err := Missing(ctx, vb)
	if err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("listing what bob has to set asked for his key's passphrase %d times", n)
	}
	got := map[string]Unset{}
	for _, u := range missing {
		got[u.Kind+" "+u.Name] = u
	}
	if len(got) != 3 {
		t.Errorf("bob has to set %d values, want 3 (not-to-bob, damaged, github): %+v", len(got), missing)
	}
	if u, ok := got["secret not-to-bob"]; !ok || !u.Shared || u.Reason != "" {
		t.Errorf("a value shared, but not with bob's key: %+v (listed %v)", u, ok)
	}
	if u, ok := got["secret github"]; !ok || u.Shared {
		t.Errorf("a personal value bob has not set: %+v (listed %v)", u, ok)
	}
	if u := got["secret damaged"]; !u.Shared || !strings.Contains(u.Reason, filepath.Join("environments", "dev", "secrets", "damaged.age")) {
		t.Errorf("a damaged shared file: %+v", u)
	}
	for _, k := range []string{"secret stripe", "auth client svc"} {
		if u, ok := got[k]; ok {
			t.Errorf("%s is shared with bob's key but listed: %+v", k, u)
		}
	}
	// The same over a personal store that cannot list its keys.
	other, err := Missing(ctx, vault.New(wb, wb.Store(notListing{bob.personal})))
	if err != nil || !slices.Equal(other, missing) || asked.Load() != 0 {
		t.Errorf("over a store that does not list: %+v, %v (asked %d times), want %+v", other, err, asked.Load(), missing)
	}

	// Using the value asks, once.
	s, err := vb.Secret("dev", "stripe")
	if err != nil {
		t.Fatal(err)
	}
	val, err := vb.SecretValue(ctx, s)
	if err != nil || val.Key != "sk_test_stripe_0123456789" {
		t.Fatalf("bob opens the shared value: %v", err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("opening the value asked %d times, want 1", n)
	}
	// His own value is read from his store, and then nothing is listed as
	// shared-but-closed for it.
	bs, _ := vb.Secret("dev", "not-to-bob")
	if err := vb.OverrideSecret(ctx, bs, vault.SecretValue{Key: "sk_test_bobs_own_0123456789"}); err != nil {
		t.Fatal(err)
	}
	missing, err = Missing(ctx, vb, "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range missing {
		if u.Name == "not-to-bob" {
			t.Errorf("bob set his own value of not-to-bob, still listed: %+v", u)
		}
	}
}

// A store that does not answer makes Missing an error, not a list.
func TestMissingStoreDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := newFolder(t)
	alice := newPerson(t, "alice")
	wa, va := alice.open(t, root)
	if _, err := wa.AddMember(alice.member); err != nil {
		t.Fatal(err)
	}
	if _, err := va.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := va.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "stripe", Env: "dev", Shared: true}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: sharedKey}); err != nil {
		t.Fatal(err)
	}
	down := errors.New("the keychain is locked")
	v := vault.New(wa, wa.Store(failingStore{vault.NewMemoryStore(), down}))
	if _, err := Missing(ctx, v); !errors.Is(err, down) {
		t.Errorf("Missing over a store that does not answer: %v", err)
	}
}

// notListing is a store with no more than vault.Store's methods.
type notListing struct{ vault.Store }

type failingStore struct {
	*vault.MemoryStore
	err error
}

func (f failingStore) Get(context.Context, string) ([]byte, error) { return nil, f.err }

// FuzzSharedHeader: the header probe never panics, never quotes the file
// in an error, and never says "does not open" (or fails) for a file the
// same keys open.
func FuzzSharedHeader(f *testing.F) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		f.Fatal(err)
	}
	xid, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.txt"), []byte(xid.String()+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	ids, err := LoadIdentities(IdentityOptions{Paths: []string{key, filepath.Join(dir, "key.txt")}, Explicit: true})
	if err != nil || len(ids) != 2 {
		f.Fatalf("%d keys: %v", len(ids), err)
	}
	var members []Member
	for _, id := range ids {
		m, err := ParseRecipient(id.Recipient)
		if err != nil {
			f.Fatal(err)
		}
		members = append(members, m)
	}
	other, _ := age.GenerateX25519Identity()
	om, _ := ParseRecipient(other.Recipient().String())
	for _, to := range [][]Member{members, members[:1], members[1:], {om}, {om, members[0]}} {
		ct, err := encryptShared([]byte("v"), to)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct)
		var bin bytes.Buffer
		rs := make([]age.Recipient, len(to))
		for i, m := range to {
			rs[i] = m.r
		}
		w, err := age.Encrypt(&bin, rs...)
		if err != nil {
			f.Fatal(err)
		}
		_, _ = w.Write([]byte("v"))
		_ = w.Close()
		f.Add(bin.Bytes())
	}
	f.Add([]byte("age-encryption.org/v1\n-> ssh-ed25519\n"))
	f.Add([]byte("\n\n" + armorHeader + "\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		ok, err := headerOpens(bytes.NewReader(data), ids)
		if err != nil && strings.ContainsAny(err.Error(), "\"`") {
			t.Errorf("the error quotes the file: %v", err)
		}
		if err != nil && ok {
			t.Errorf("an error and an answer: %v", err)
		}
		if plain, derr := decryptShared(data, ids); derr == nil && (!ok || err != nil) {
			t.Errorf("the keys open the file (%q), the probe says %v, %v", plain, ok, err)
		}
	})
}

// A passphrase-encrypted age identity file (age -p) is refused with what to
// use instead, not taken for a key whose values could be listed.
func TestEncryptedAgeIdentityRefused(t *testing.T) {
	t.Parallel()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.NewScryptRecipient("identity pass")
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10)
	var b bytes.Buffer
	w, err := age.Encrypt(&b, r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(id.String() + "\n"))
	_ = w.Close()
	path := filepath.Join(t.TempDir(), "key.age")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadIdentities(IdentityOptions{Paths: []string{path}, Explicit: true, Passphrase: func(string) ([]byte, error) {
		t.Error("asked for a passphrase")
		return nil, errors.New("no")
	}})
	if err == nil || !strings.Contains(err.Error(), path+" is an encrypted age file") {
		t.Errorf("an encrypted age identity: %v", err)
	}
}

// BenchmarkSharedProbe measures telling from a shared file's header whether
// it opens (what Missing does per shared value), next to opening it.
func BenchmarkSharedProbe(b *testing.B) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		b.Fatal(err)
	}
	xid, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.txt"), []byte(xid.String()+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	ids, err := LoadIdentities(IdentityOptions{Paths: []string{key, filepath.Join(dir, "key.txt")}, Explicit: true})
	if err != nil {
		b.Fatal(err)
	}
	var members []Member
	for _, id := range ids {
		m, err := ParseRecipient(id.Recipient)
		if err != nil {
			b.Fatal(err)
		}
		members = append(members, m)
	}
	ct, err := encryptShared([]byte(`{"key":"sk_test_bench_0123456789"}`), members)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "v.age")
	if err := os.WriteFile(path, ct, 0o600); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ids  []Identity
	}{{"ssh-ed25519", ids[:1]}, {"x25519", ids[1:]}} {
		b.Run("probe-"+c.name, func(b *testing.B) {
			for b.Loop() {
				if ok, err := canOpen(path, "v.age", c.ids); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
		b.Run("open-"+c.name, func(b *testing.B) {
			for b.Loop() {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := decryptShared(data, c.ids); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
