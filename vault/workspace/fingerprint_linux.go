//go:build linux

package workspace

import (
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// statFolder lists the folder's files and directories with their status,
// in lexical order, a directory before what it holds. A system call costs
// microseconds on some machines and a start makes one a file, so each is
// the cheapest there is: fstatat on the directory's descriptor (the kernel
// looks up one name, not the whole path), no file information built, and a
// large directory's files are looked up on every core at once.
func statFolder(root string) ([]statEntry, error) {
	var st unix.Stat_t
	if err := unix.Lstat(root, &st); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: root, Err: err}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil, errNotFingerprinted
	}
	out := []statEntry{entryOf(".", &st)}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return out, nil
	}
	fd, err := openDir(unix.AT_FDCWD, root)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return statDir(fd, root, "", out)
}

func entryOf(rel string, st *unix.Stat_t) statEntry {
	return statEntry{
		rel: rel, size: st.Size, ino: st.Ino, mode: st.Mode,
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}
}

func openDir(parent int, name string) (int, error) {
	for {
		fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

// statsPerWorker is the fewest lookups worth another goroutine.
const statsPerWorker = 128

// statDir appends the entries of the directory open as fd (dir: its path,
// for errors; rel: its path in the folder) to out.
func statDir(fd int, dir, rel string, out []statEntry) ([]statEntry, error) {
	names, err := dirNames(fd, dir)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	stats := make([]unix.Stat_t, len(names))
	errs := make([]error, len(names))
	lookup := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for {
				errs[i] = unix.Fstatat(fd, names[i], &stats[i], unix.AT_SYMLINK_NOFOLLOW)
				if errs[i] != unix.EINTR { //nolint:errorlint // a raw errno
					break
				}
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(names)/statsPerWorker)
	if workers > 1 {
		var wg sync.WaitGroup
		per := (len(names) + workers - 1) / workers
		for lo := per; lo < len(names); lo += per {
			wg.Go(func() { lookup(lo, min(lo+per, len(names))) })
		}
		lookup(0, per)
		wg.Wait()
	} else {
		lookup(0, len(names))
	}
	for i, name := range names {
		if errs[i] != nil {
			return nil, &fs.PathError{Op: "lstat", Path: dir + "/" + name, Err: errs[i]}
		}
		st := &stats[i]
		childRel := path.Join(rel, name)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFLNK:
			return nil, errNotFingerprinted
		case unix.S_IFDIR:
			out = append(out, entryOf(childRel, st))
			sub, err := openDir(fd, name)
			if err != nil {
				return nil, err
			}
			out, err = statDir(sub, dir+"/"+name, childRel, out)
			_ = unix.Close(sub)
			if err != nil {
				return nil, err
			}
		default:
			out = append(out, entryOf(childRel, st))
		}
	}
	return out, nil
}

// dirNames lists the directory open as fd ("." and ".." left out).
func dirNames(fd int, dir string) ([]string, error) {
	buf := make([]byte, 32<<10)
	var names []string
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}
