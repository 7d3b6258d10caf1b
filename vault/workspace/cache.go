package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/authdeck/authdeck/vault"
)

// A folder of a thousand items is a thousand files to open and parse, and
// every command and the TUI's start read it. The folder as last parsed is
// kept in this person's state directory (never in the folder: it is
// theirs, like the rest of their state), keyed by the folder's fingerprint
// — every file's and directory's name, size, modification and change
// times, inode and mode — and by the authdeck executable that parsed it. A
// process that finds the folder as fingerprinted reads that one file
// instead of the folder; any change to the folder (authdeck's writes, an
// editor's save in place, a checkout, a pull), a folder changed in the
// last two seconds (racyWindow), a symbolic link in it, or another build
// of authdeck parses the folder again. The cache holds what the folder
// holds, which is never a secret value (S-45); a cache that does not read
// is ignored, and written anew.
//
// The cache is lines of JSON: what it was kept for (cacheHeader: a kept
// parse of another folder state is refused before the rest is decoded),
// the workspace file and environments (cacheEnvs), the auth clients, the
// secrets, the requests — all a Load decodes, each line on a core of its
// own — and where each item's file is (cacheIndex: decoded when a change
// or a shared value needs it).

// cacheFormat is the version of the cache's encoding.
const cacheFormat = 2

// cacheHeader is the cache's first line.
type cacheHeader struct {
	Format      int    `json:"format"`
	Build       string `json:"build"`
	Root        string `json:"root"`
	Fingerprint string `json:"fingerprint"`
	// Counts are the numbers of environments, auth clients, secrets,
	// requests and paths: the decoding allocates each list once, of its
	// length, instead of growing it (copies, and memory touched twice).
	Counts []int `json:"counts"`
}

// cacheEnvs is the cache's second line.
type cacheEnvs struct {
	Meta Meta                `json:"meta"`
	Envs []vault.Environment `json:"envs"`
}

// cacheLines are a cache's lines after its header.
type cacheLines struct {
	envs, clients, secrets, requests, index []byte
}

// cacheIndex is the cache's last line: the team and the items' files.
type cacheIndex struct {
	Members     []cachedMember    `json:"members,omitempty"`
	Paths       map[string]string `json:"paths"`
	Companions  map[string]string `json:"companions,omitempty"`
	MemberPaths map[string]string `json:"memberPaths,omitempty"`
	Orphans     []string          `json:"orphans,omitempty"`
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

// encodeCache encodes s as kept (fp: the folder's fingerprint before it was
// read). JSON escapes every line break inside a value, so each part is one
// line.
func (w *Workspace) encodeCache(s *snapshot, fp string) ([]byte, error) {
	idx := cacheIndex{Paths: s.paths, Companions: s.companions, MemberPaths: s.memberPaths, Orphans: s.orphans}
	for _, m := range s.members {
		idx.Members = append(idx.Members, cachedMember{Name: m.Name, Recipient: m.Recipient})
	}
	var out []byte
	for _, part := range []any{
		cacheHeader{
			Format: cacheFormat, Build: buildIdentity(), Root: w.root, Fingerprint: hex.EncodeToString([]byte(fp)),
			Counts: []int{len(s.envs), len(s.clients), len(s.secrets), len(s.requests), len(s.paths)},
		},
		cacheEnvs{Meta: s.meta, Envs: s.envs},
		s.clients, s.secrets, s.requests, idx,
	} {
		b, err := gojson.Marshal(part)
		if err != nil {
			return nil, err
		}
		out = append(append(out, b...), '\n')
	}
	return out, nil
}

// errStaleCache means a kept cache was written for another folder state,
// path or build.
var errStaleCache = errors.New("the cache is of another state of the folder")

// errBadCache means a kept cache is not an encoding of encodeCache.
var errBadCache = errors.New("the cache does not read")

// cacheParts splits an encoding of encodeCache into its header (decoded)
// and its other lines.
func cacheParts(data []byte) (cacheHeader, cacheLines, error) {
	var lines [6][]byte
	rest := data
	for i := range lines {
		var ok bool
		if lines[i], rest, ok = bytes.Cut(rest, []byte{'\n'}); !ok {
			return cacheHeader{}, cacheLines{}, errBadCache
		}
	}
	if len(rest) != 0 {
		return cacheHeader{}, cacheLines{}, errBadCache
	}
	var h cacheHeader
	// goccy/go-json, as the personal catalog is read: it decodes about 3×
	// faster than encoding/json, and the cache is only ever read by the
	// build that wrote it.
	if err := gojson.Unmarshal(lines[0], &h); err != nil {
		return cacheHeader{}, cacheLines{}, err
	}
	if h.Format != cacheFormat {
		return cacheHeader{}, cacheLines{}, errStaleCache
	}
	if len(h.Counts) != 5 {
		return cacheHeader{}, cacheLines{}, errBadCache
	}
	return h, cacheLines{envs: lines[1], clients: lines[2], secrets: lines[3], requests: lines[4], index: lines[5]}, nil
}

// decodeCache decodes an encoding of encodeCache into a new snapshot. A
// snapshot from the cache has no canonical encodings: only reads use it.
func decodeCache(data []byte) (*snapshot, *cacheHeader, error) {
	h, l, err := cacheParts(data)
	if err != nil {
		return nil, nil, err
	}
	s, err := decodeCacheParts(h, l, true)
	if err != nil {
		return nil, nil, err
	}
	return s, &h, nil
}

// decodeCacheParts decodes a cache's items and, when full, its index (a
// snapshot without has only what assemble uses), each line on a core of
// its own.
func decodeCacheParts(h cacheHeader, l cacheLines, full bool) (*snapshot, error) {
	// An item takes more than 32 bytes: a damaged count allocates no
	// more than the cache's size allows.
	n := func(i int, line []byte) int { return min(max(h.Counts[i], 0), len(line)/32) }
	envs := cacheEnvs{Envs: make([]vault.Environment, 0, n(0, l.envs))}
	s := &snapshot{
		clients:  make([]vault.AuthClient, 0, n(1, l.clients)),
		secrets:  make([]vault.Secret, 0, n(2, l.secrets)),
		requests: make([]vault.Request, 0, n(3, l.requests)),
	}
	x := cacheIndex{}
	type into struct {
		line []byte
		v    any
	}
	decode := []into{{l.secrets, &s.secrets}, {l.clients, &s.clients}, {l.requests, &s.requests}, {l.envs, &envs}}
	if full {
		x.Paths = make(map[string]string, n(4, l.index))
		decode = append(decode, into{l.index, &x})
	}
	errs := make([]error, len(decode))
	var wg sync.WaitGroup
	for i := 1; i < len(decode); i++ {
		wg.Go(func() { errs[i] = gojson.Unmarshal(decode[i].line, decode[i].v) })
	}
	errs[0] = gojson.Unmarshal(decode[0].line, decode[0].v)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.meta, s.envs = envs.Meta, envs.Envs
	if len(s.envs) != h.Counts[0] || len(s.clients) != h.Counts[1] || len(s.secrets) != h.Counts[2] || len(s.requests) != h.Counts[3] {
		return nil, errBadCache
	}
	if !full {
		return s, nil
	}
	if len(x.Paths) != h.Counts[4] {
		return nil, errBadCache
	}
	s.paths, s.companions, s.memberPaths, s.orphans = x.Paths, orEmpty(x.Companions), orEmpty(x.MemberPaths), x.Orphans
	for _, cm := range x.Members {
		m, err := ParseRecipient(cm.Recipient)
		if err != nil {
			return nil, err
		}
		m.Name = cm.Name
		s.members = append(s.members, m)
	}
	return s, nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// keptParse is the cache as read by readCache: its encoding, the
// fingerprint it was kept for (raw bytes, as fingerprint returns it), and
// its snapshot (nil: none for this folder path and build, or it does not
// read).
type keptParse struct {
	raw []byte
	fp  string
	s   *snapshot
}

// readCache reads the kept parse of the folder, if any for its path and
// this build, and decodes it (its index too when full) unless known says,
// by then, that the folder's fingerprint is another. It runs while the
// folder is fingerprinted: the decoding takes about as long as the lookups.
func (w *Workspace) readCache(full bool, known *atomic.Pointer[string]) keptParse {
	build := buildIdentity()
	if build == "" {
		return keptParse{}
	}
	data, err := os.ReadFile(w.cachePath())
	if err != nil {
		return keptParse{}
	}
	h, lines, err := cacheParts(data)
	if err != nil || h.Build != build || h.Root != w.root {
		return keptParse{}
	}
	fp, err := hex.DecodeString(h.Fingerprint)
	if err != nil || len(fp) == 0 {
		return keptParse{}
	}
	if now := known.Load(); now != nil && *now != string(fp) {
		return keptParse{}
	}
	s, err := decodeCacheParts(h, lines, full)
	if err != nil {
		return keptParse{}
	}
	return keptParse{raw: data, fp: string(fp), s: s}
}

// readFolder reads the folder (read does, under the lock): from the parse
// this process or the last one kept when the folder is as it was then
// (only when readOnly: a change parses the files it rewrites), parsing
// every file otherwise. A snapshot from a kept parse holds the catalog's
// items only unless full. The snapshot returned is the caller's own: what
// is kept for later reads (last) is another copy, or its encoding.
func (w *Workspace) readFolder(readOnly, full bool) (*snapshot, error) {
	// The kept parse is read and decoded while the folder is
	// fingerprinted, on another core.
	var known atomic.Pointer[string]
	var kept chan keptParse
	if readOnly && w.loadedRaw == nil {
		kept = make(chan keptParse, 1)
		go func() { kept <- w.readCache(full, &known) }()
	}
	// The fingerprint is taken before the files are read: a file changed
	// while they are read changes the next fingerprint.
	fp, fpErr := fingerprint(w.root, time.Now().Add(-racyWindow))
	trusted := fpErr == nil && readOnly
	if trusted {
		known.Store(&fp)
	} else {
		known.Store(new(string))
	}
	switch {
	case trusted && w.loadedRaw != nil && fp == w.loadedFP:
		h, lines, err := cacheParts(w.loadedRaw)
		if err != nil {
			return nil, err // it was encoded by this process
		}
		own, err := decodeCacheParts(h, lines, full)
		if err != nil {
			return nil, err
		}
		w.keep(own, w.loadedRaw, full)
		return own, nil
	case trusted:
		// Another process may have kept the folder's new state.
		var k keptParse
		if kept != nil {
			k = <-kept
		} else {
			k = w.readCache(full, &known)
		}
		if k.s != nil && k.fp == fp {
			w.loadedRaw, w.loadedFP = k.raw, fp
			w.keep(k.s, k.raw, full)
			return k.s, nil
		}
	}
	s, err := readSnapshot(w.root)
	if err != nil {
		return nil, w.placed(err)
	}
	w.parses++
	w.loadedRaw, w.loadedFP = nil, ""
	if len(s.scratch) > 0 {
		_ = w.recover(s.scratch)
	}
	if !trusted {
		fp = ""
	}
	raw, err := w.encodeCache(s, fp)
	if err != nil {
		return nil, err
	}
	if trusted && len(s.scratch) == 0 {
		w.loadedRaw, w.loadedFP = raw, fp
		w.writeCache(raw)
	}
	w.keep(s, raw, full)
	return s, nil
}

// keep keeps the folder as just read for later reads: its encoding raw,
// decoded when first needed, or (full: a read for snapshot, whose callers
// only read it) s itself.
func (w *Workspace) keep(s *snapshot, raw []byte, full bool) {
	if !full {
		s = nil
	}
	w.setLast(s, raw)
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

// statEntry is a file or directory of the folder as its fingerprint
// names it.
type statEntry struct {
	rel          string // its path in the folder, '/'-separated ("." for the folder)
	size         int64
	mtime, ctime int64 // nanoseconds; ctime 0 where the system gives none
	ino          uint64
	mode         uint32
}

// fingerprint names every file and directory of the folder with its size,
// modification and change times, inode and mode: any write (authdeck's
// renames, an editor's in-place save, git's checkout, a tool that puts the
// modification time back) changes it. Listing them costs a lookup per
// file (statFolder), far less than parsing each. An entry modified after
// settled is errRacy; a symbolic link is errNotFingerprinted.
func fingerprint(root string, settled time.Time) (string, error) {
	entries, err := statFolder(root)
	if err != nil {
		return "", err
	}
	limit := settled.UnixNano()
	h := sha256.New()
	buf := make([]byte, 0, 256)
	for _, e := range entries {
		if e.mtime > limit {
			return "", errRacy
		}
		buf = append(buf[:0], e.rel...)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, e.size, 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, e.mtime, 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, e.ctime, 10)
		buf = append(buf, 0)
		buf = strconv.AppendUint(buf, e.ino, 10)
		buf = append(buf, 0)
		buf = strconv.AppendUint(buf, uint64(e.mode), 8)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return string(h.Sum(nil)), nil
}
