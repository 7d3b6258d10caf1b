package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/authdeck/authdeck/vault"
)

// A folder of a thousand items is a thousand files to open and parse, and
// every command and the TUI's start read it. The folder as last parsed is
// kept in this person's state directory (never in the folder: it is
// theirs, like the rest of their state), keyed by the folder's fingerprint
// — every file's and directory's name, size, modification time, inode and
// mode — and by the authdeck executable that parsed it. A process that
// finds the folder as fingerprinted reads that one file instead of the
// folder; any change to the folder (authdeck's writes, an editor's save in
// place, a checkout, a pull), a folder changed in the last two seconds
// (racyWindow), a symbolic link in it, or another build of authdeck parses
// the folder again. The cache holds what the folder holds, which is never a
// secret value (S-45); a cache that does not read is ignored, and written
// anew.

// cacheFormat is the version of the cache's encoding.
const cacheFormat = 1

// folderCache is a snapshot as kept between processes: everything a read
// of the folder uses (a change parses the folder itself).
type folderCache struct {
	Format      int                 `json:"format"`
	Build       string              `json:"build"`
	Root        string              `json:"root"`
	Fingerprint string              `json:"fingerprint"`
	Meta        Meta                `json:"meta"`
	Envs        []vault.Environment `json:"envs"`
	Clients     []vault.AuthClient  `json:"clients"`
	Secrets     []vault.Secret      `json:"secrets"`
	Requests    []vault.Request     `json:"requests"`
	Members     []cachedMember      `json:"members,omitempty"`
	Paths       map[string]string   `json:"paths"`
	Companions  map[string]string   `json:"companions,omitempty"`
	MemberPaths map[string]string   `json:"memberPaths,omitempty"`
	Orphans     []string            `json:"orphans,omitempty"`
}

// cachedMember is a team member as its file says it: the key is parsed
// again when the cache is read.
type cachedMember struct {
	Name      string `json:"name"`
	Recipient string `json:"recipient"`
}

// buildIdentity names the executable running: a cache another build wrote
// (which may parse the folder differently) is not used. Empty when the
// executable cannot be found; then no cache is used.
var buildIdentity = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return exe + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "\x00" + strconv.FormatUint(inode(fi), 10)
})

// cachePath is where the parsed folder is kept: one file per folder path
// (two checkouts of one workspace share its ID and state directory).
func (w *Workspace) cachePath() string {
	sum := sha256.Sum256([]byte(w.root))
	return filepath.Join(w.stateDir, "parsed-"+hex.EncodeToString(sum[:8])+".json")
}

// encodeCache encodes s as kept (fp: the folder's fingerprint before it was read).
func (w *Workspace) encodeCache(s *snapshot, fp string) ([]byte, error) {
	fc := folderCache{
		Format: cacheFormat, Build: buildIdentity(), Root: w.root, Fingerprint: hex.EncodeToString([]byte(fp)),
		Meta: s.meta, Envs: s.envs, Clients: s.clients, Secrets: s.secrets, Requests: s.requests,
		Paths: s.paths, Companions: s.companions, MemberPaths: s.memberPaths, Orphans: s.orphans,
	}
	for _, m := range s.members {
		fc.Members = append(fc.Members, cachedMember{Name: m.Name, Recipient: m.Recipient})
	}
	return gojson.Marshal(fc)
}

// errStaleCache means a kept cache was written for another folder state,
// path or build.
var errStaleCache = errors.New("the cache is of another state of the folder")

// decodeCache decodes an encoding of encodeCache into a new snapshot. A
// snapshot from the cache has no canonical encodings: only reads use it.
func decodeCache(data []byte) (*snapshot, *folderCache, error) {
	var fc folderCache
	// goccy/go-json, as the personal catalog is read: it decodes about 3×
	// faster than encoding/json, and the cache is only ever read by the
	// build that wrote it.
	if err := gojson.Unmarshal(data, &fc); err != nil {
		return nil, nil, err
	}
	if fc.Format != cacheFormat || fc.Paths == nil {
		return nil, nil, errStaleCache
	}
	s := &snapshot{
		meta: fc.Meta, envs: fc.Envs, clients: fc.Clients, secrets: fc.Secrets, requests: fc.Requests,
		paths: fc.Paths, companions: orEmpty(fc.Companions), memberPaths: orEmpty(fc.MemberPaths), orphans: fc.Orphans,
	}
	for _, cm := range fc.Members {
		m, err := ParseRecipient(cm.Recipient)
		if err != nil {
			return nil, nil, err
		}
		m.Name = cm.Name
		s.members = append(s.members, m)
	}
	return s, &fc, nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// readCache returns the kept encoding of the folder in state fp and its
// snapshot, or nil when there is none for that state, path and build.
func (w *Workspace) readCache(fp string) ([]byte, *snapshot) {
	build := buildIdentity()
	if build == "" {
		return nil, nil
	}
	data, err := os.ReadFile(w.cachePath())
	if err != nil {
		return nil, nil
	}
	s, fc, err := decodeCache(data)
	if err != nil || fc.Build != build || fc.Root != w.root || fc.Fingerprint != hex.EncodeToString([]byte(fp)) {
		return nil, nil
	}
	return data, s
}

// writeCache keeps data, the encoding of the folder as just parsed, for
// the next process. It is not synced: a cache a crash damaged does not
// decode, and the folder is parsed again. Failing to write it (a read-only
// home) only costs that parse.
func (w *Workspace) writeCache(data []byte) {
	if buildIdentity() == "" || vault.EnsurePrivateDir(w.stateDir) != nil {
		return
	}
	path := w.cachePath()
	tmp, err := os.CreateTemp(w.stateDir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// errNotFingerprinted means the folder holds something its fingerprint
// would not follow: a symbolic link (its target may change unseen).
var errNotFingerprinted = errors.New("holds a symbolic link")

// fingerprint names every file and directory of the folder with its size,
// modification time, inode and mode: any write (authdeck's renames, an
// editor's in-place save, git's checkout) changes it. Listing them costs a
// stat per file, far less than parsing each. An entry modified after
// settled is errRacy; a symbolic link is errNotFingerprinted.
func fingerprint(root string, settled time.Time) (string, error) {
	h := sha256.New()
	buf := make([]byte, 0, 256)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return errNotFingerprinted
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.ModTime().After(settled) {
			return errRacy
		}
		buf = append(buf[:0], p...)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, info.Size(), 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, info.ModTime().UnixNano(), 10)
		buf = append(buf, 0)
		buf = strconv.AppendUint(buf, inode(info), 10)
		buf = append(buf, 0)
		buf = strconv.AppendUint(buf, uint64(info.Mode()), 8)
		buf = append(buf, '\n')
		h.Write(buf)
		return nil
	})
	if err != nil {
		return "", err
	}
	return string(h.Sum(nil)), nil
}
