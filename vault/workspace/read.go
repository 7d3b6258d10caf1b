package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/authdeck/authdeck/vault"
)

// Meta is the workspace file (authdeck-workspace.json).
type Meta struct {
	// Version is the folder's format version.
	Version int `json:"version"`
	// ID keys every person's values of this workspace in their own vault.
	ID string `json:"id"`
	// Name is how the workspace is shown (the TUI's header).
	Name string `json:"name"`
}

// FormatVersion is the folder format this build reads and writes.
const FormatVersion = 1

// snapshot is the folder as read: its items, where each one's file is, and
// each file's bytes as the canonical encoding of its item, so a change
// rewrites only the files whose items changed.
type snapshot struct {
	meta     Meta
	envs     []vault.Environment
	clients  []vault.AuthClient
	secrets  []vault.Secret
	requests []vault.Request
	members  []Member
	// paths maps an item key (env/ID, client/ID, secret/ID, request/ID)
	// to its file; companions to its shared value's file.
	paths      map[string]string
	companions map[string]string
	// canon holds the canonical encoding of each item as read.
	canon map[string][]byte
	// memberPaths maps member names to their files.
	memberPaths map[string]string
	// scratch lists files left aside by a write that never finished.
	scratch []string
	// orphans lists shared values whose item file is gone.
	orphans []string
}

func envKey(id string) string     { return "env/" + id }
func clientKey(id string) string  { return "client/" + id }
func secretKey(id string) string  { return "secret/" + id }
func requestKey(id string) string { return "request/" + id }

// readMeta reads the workspace file of the folder at root.
func readMeta(root string) (Meta, error) {
	data, err := os.ReadFile(filepath.Join(root, MarkerFile))
	if err != nil {
		return Meta{}, fmt.Errorf("reading the workspace: %w", err)
	}
	return parseMeta(data)
}

// parseMeta reads the workspace file's bytes. A name that
// 'authdeck init --name' would refuse (empty, too long, a control
// character…) is refused here too, naming the file, its line and the
// field: the header and every message show the name, so it is checked, not
// only escaped.
func parseMeta(data []byte) (Meta, error) {
	var m Meta
	if err := decodeStrict(MarkerFile, data, &m); err != nil {
		return Meta{}, err
	}
	switch {
	case m.Version == 0:
		return Meta{}, fileErr(MarkerFile, lineOfField(data, "version"), "no format version")
	case m.Version > FormatVersion:
		return Meta{}, fileErr(MarkerFile, lineOfField(data, "version"), "format version %d; this authdeck reads up to %d — upgrade authdeck", m.Version, FormatVersion)
	case m.ID == "":
		return Meta{}, fileErr(MarkerFile, 0, "no id")
	}
	if err := checkID(MarkerFile, data, m.ID); err != nil {
		return Meta{}, err
	}
	if err := vault.ValidateName("workspace", m.Name); err != nil {
		line := lineOfField(data, "name")
		var ve *vault.ValidationError
		if errors.As(err, &ve) {
			return Meta{}, fileErr(MarkerFile, line, "name %s (fix the workspace's \"name\"; 'authdeck init --name' takes the same names)", ve.Msg)
		}
		return Meta{}, fileErr(MarkerFile, line, "name: %v", err)
	}
	return m, nil
}

// readSnapshot reads the whole folder. A file that does not read is a
// FileError naming it and its line; nothing is changed. The folder's
// directories are listed first, then its files are read and parsed on
// every core at once (fileJob), then their items are added in the order of
// the listing: the error reported is the first one in that order, as when
// the files are read one after the other.
func readSnapshot(root string) (*snapshot, error) {
	s := &snapshot{paths: map[string]string{}, companions: map[string]string{}, canon: map[string][]byte{}, memberPaths: map[string]string{}}
	var err error
	if s.meta, err = readMeta(root); err != nil {
		return nil, err
	}
	// The folder's top holds the lock and the journal (recovery's own),
	// and a crash can leave there the files written aside to become the
	// journal or the workspace file.
	top, err := readDir(root, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range top {
		if name := e.Name(); !e.IsDir() && name != lockFile && name != journalFile {
			s.noteStray(".", e)
		}
	}
	if err := s.readTeam(root); err != nil {
		return nil, err
	}
	envs, err := readDir(root, envsDir)
	if err != nil {
		return nil, err
	}
	var jobs []fileJob
	for _, e := range envs {
		if !e.IsDir() {
			s.noteStray(envsDir, e)
			continue
		}
		var ok bool
		if jobs, ok = s.listEnv(root, e.Name(), jobs); !ok {
			break
		}
	}
	parseFiles(root, jobs)
	for i := range jobs {
		if err := s.addFile(&jobs[i]); err != nil {
			return nil, err
		}
	}
	sort.Strings(s.orphans)
	if err := s.checkUnique(); err != nil {
		return nil, err
	}
	return s, nil
}

// fileJob is an item file of the folder to read and parse: what its place
// says of its item, and then its item and canonical encoding, or the
// error that stops the read there (the listing stops at one too).
type fileJob struct {
	kind      string // envFileName, clientsDir, secretsDir or requestsDir
	rel       string
	env       string // the environment's name
	name      string
	folder    []string
	companion string // its shared value's file, if any
	err       error
	item      any // vault.Environment, AuthClient, Secret or Request
	canon     []byte
}

// filesPerWorker is the fewest files worth another goroutine.
const filesPerWorker = 32

// parseFiles reads and parses the files of jobs, on every core.
func parseFiles(root string, jobs []fileJob) {
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(jobs) {
				return
			}
			if j := &jobs[i]; j.err == nil {
				j.item, j.canon, j.err = parseFile(root, j)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)/filesPerWorker) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// parseFile reads and parses the file of j.
func parseFile(root string, j *fileJob) (any, []byte, error) {
	if j.kind == envFileName {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(j.rel)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fileErr(path.Dir(j.rel), 0, "has no %s: every environment directory needs one (it may hold just {})", envFileName)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", j.rel, err)
		}
		e, err := decodeEnv(j.rel, data, j.env)
		if err != nil {
			return nil, nil, err
		}
		return e, encodeEnv(e), nil
	}
	data, err := readFile(root, j.rel)
	if err != nil {
		return nil, nil, err
	}
	switch j.kind {
	case clientsDir:
		ac, err := decodeClient(j.rel, data, j.env, j.name)
		if err != nil {
			return nil, nil, err
		}
		ac.Shared = j.companion != ""
		if !ac.Shared {
			ac.SharedWith = nil
		}
		return ac, encodeClient(ac), nil
	case secretsDir:
		sec, err := decodeSecret(j.rel, data, j.env, j.name)
		if err != nil {
			return nil, nil, err
		}
		sec.Shared = j.companion != ""
		if !sec.Shared {
			sec.SharedWith = nil
		}
		return sec, encodeSecret(sec), nil
	default:
		r, err := decodeRequest(j.rel, data, j.env, j.folder, j.name)
		if err != nil {
			return nil, nil, err
		}
		return r, encodeRequest(r), nil
	}
}

// addFile adds the item of a parsed file to s.
func (s *snapshot) addFile(j *fileJob) error {
	if j.err != nil {
		return j.err
	}
	switch x := j.item.(type) {
	case vault.Environment:
		s.add(envKey(x.ID), j.rel, j.canon)
		s.envs = append(s.envs, x)
	case vault.AuthClient:
		key := clientKey(x.ID)
		s.add(key, j.rel, j.canon)
		if x.Shared {
			if !x.HasSecret {
				return fileErr(j.rel, 0, "has a shared value (%s) but says it has no credentials (\"hasSecret\")", path.Base(j.companion))
			}
			s.companions[key] = j.companion
		}
		s.clients = append(s.clients, x)
	case vault.Secret:
		key := secretKey(x.ID)
		s.add(key, j.rel, j.canon)
		if x.Shared {
			s.companions[key] = j.companion
		}
		s.secrets = append(s.secrets, x)
	case vault.Request:
		s.add(requestKey(x.ID), j.rel, j.canon)
		s.requests = append(s.requests, x)
	}
	return nil
}

// readDir lists a directory of the folder, sorted; a missing one is empty.
func readDir(root, rel string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the workspace folder: %w", err)
	}
	return ents, nil
}

func readFile(root, rel string) ([]byte, error) {
	b, err := readWhole(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rel, err)
	}
	return b, nil
}

// noteStray remembers scratch files; other files the layout does not know
// (a README, an editor's backup) are no part of the workspace.
func (s *snapshot) noteStray(dir string, e fs.DirEntry) {
	if isScratch(e.Name()) {
		s.scratch = append(s.scratch, path.Join(dir, e.Name()))
	}
}

func (s *snapshot) readTeam(root string) error {
	ents, err := readDir(root, teamDir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		base := e.Name()
		if e.IsDir() || !strings.HasSuffix(base, pubExt) || strings.HasPrefix(base, ".") {
			s.noteStray(teamDir, e)
			continue
		}
		rel := path.Join(teamDir, base)
		name, err := decodeName(strings.TrimSuffix(base, pubExt))
		if err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		if err := vault.ValidateName("team member", name); err != nil {
			return fileErr(rel, 0, "%v", err)
		}
		data, err := readFile(root, rel)
		if err != nil {
			return err
		}
		m, err := parseMemberFile(rel, data, name)
		if err != nil {
			return err
		}
		for _, o := range s.members {
			if o.Recipient == m.Recipient || o.Fingerprint == m.Fingerprint {
				return fileErr(rel, 1, "the same key as %s", s.memberPaths[o.Name])
			}
		}
		s.members = append(s.members, m)
		s.memberPaths[name] = rel
	}
	return nil
}

// listEnv lists the files of an environment's directory after jobs. It
// reports false when the listing stopped at an error (the last job's).
func (s *snapshot) listEnv(root, dirName string, jobs []fileJob) ([]fileJob, bool) {
	dir := path.Join(envsDir, dirName)
	env, err := decodeName(dirName)
	if err != nil {
		return append(jobs, fileJob{err: fileErr(dir, 0, "%v", err)}), false
	}
	jobs = append(jobs, fileJob{kind: envFileName, rel: path.Join(dir, envFileName), env: env})
	var ok bool
	if jobs, ok = s.listItems(root, dir, clientsDir, env, jobs); !ok {
		return jobs, false
	}
	if jobs, ok = s.listItems(root, dir, secretsDir, env, jobs); !ok {
		return jobs, false
	}
	return s.listRequests(root, path.Join(dir, requestsDir), env, nil, jobs)
}

// add records an item's file; a second item with the same key is an error
// left to checkUnique (it names both files).
func (s *snapshot) add(key, rel string, canon []byte) {
	if prev, dup := s.paths[key]; dup {
		s.paths[key+"\x00dup"] = prev + "\x00" + rel
		return
	}
	s.paths[key] = rel
	s.canon[key] = canon
}

// listItems lists the clients or secrets of an environment after jobs.
func (s *snapshot) listItems(root, envDir, kind, env string, jobs []fileJob) ([]fileJob, bool) {
	dir := path.Join(envDir, kind)
	ents, err := readDir(root, dir)
	if err != nil {
		return append(jobs, fileJob{err: err}), false
	}
	shared := map[string]string{}
	for _, e := range ents {
		if b := e.Name(); !e.IsDir() && strings.HasSuffix(b, sharedExt) && !strings.HasPrefix(b, ".") {
			shared[strings.TrimSuffix(b, sharedExt)] = path.Join(dir, b)
		}
	}
	for _, e := range ents {
		base := e.Name()
		if e.IsDir() || !strings.HasSuffix(base, jsonExt) || strings.HasPrefix(base, ".") {
			s.noteStray(dir, e)
			continue
		}
		rel := path.Join(dir, base)
		stem := strings.TrimSuffix(base, jsonExt)
		name, err := decodeName(stem)
		if err != nil {
			return append(jobs, fileJob{err: fileErr(rel, 0, "%v", err)}), false
		}
		companion := shared[stem]
		delete(shared, stem)
		jobs = append(jobs, fileJob{kind: kind, rel: rel, env: env, name: name, companion: companion})
	}
	for _, orphan := range shared {
		s.orphans = append(s.orphans, orphan)
	}
	return jobs, true
}

// listRequests lists the requests under dir, folders as directories,
// after jobs.
func (s *snapshot) listRequests(root, dir, env string, folder []string, jobs []fileJob) ([]fileJob, bool) {
	ents, err := readDir(root, dir)
	if err != nil {
		return append(jobs, fileJob{err: err}), false
	}
	for _, e := range ents {
		base := e.Name()
		rel := path.Join(dir, base)
		if strings.HasPrefix(base, ".") {
			s.noteStray(dir, e)
			continue
		}
		if e.IsDir() {
			if len(folder) >= vault.MaxFolderDepth {
				return append(jobs, fileJob{err: fileErr(rel, 0, "folders are nested deeper than %d levels", vault.MaxFolderDepth)}), false
			}
			name, err := decodeName(base)
			if err != nil {
				return append(jobs, fileJob{err: fileErr(rel, 0, "%v", err)}), false
			}
			var ok bool
			if jobs, ok = s.listRequests(root, rel, env, append(append([]string(nil), folder...), name), jobs); !ok {
				return jobs, false
			}
			continue
		}
		if !strings.HasSuffix(base, httpExt) {
			continue
		}
		name, err := decodeName(strings.TrimSuffix(base, httpExt))
		if err != nil {
			return append(jobs, fileJob{err: fileErr(rel, 0, "%v", err)}), false
		}
		jobs = append(jobs, fileJob{kind: requestsDir, rel: rel, env: env, name: name, folder: folder})
	}
	return jobs, true
}

// checkUnique refuses two files for one item (a file copied by hand keeps
// its ID) and two requests of an environment with one name.
func (s *snapshot) checkUnique() error {
	for k, v := range s.paths {
		if key, ok := strings.CutSuffix(k, "\x00dup"); ok {
			a, b, _ := strings.Cut(v, "\x00")
			kind, id, _ := strings.Cut(key, "/")
			return fileErr(b, 0, "has the same id (%q) as the %s in %s: one was copied from the other; remove the copy's id line and authdeck gives it one of its own", id, kindWord(kind), a)
		}
	}
	seen := map[string]string{}
	for _, r := range s.requests {
		k := r.Env + "\x00" + r.Name
		if prev, dup := seen[k]; dup {
			return fileErr(s.paths[requestKey(r.ID)], 0, "a request named %q is also in %s; request names are unique in an environment, whatever their folder", r.Name, prev)
		}
		seen[k] = s.paths[requestKey(r.ID)]
	}
	return nil
}

func kindWord(kind string) string {
	switch kind {
	case "env":
		return "environment"
	case "client":
		return "auth client"
	}
	return kind
}
