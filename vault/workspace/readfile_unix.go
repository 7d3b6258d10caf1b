//go:build unix

package workspace

import (
	"io/fs"
	"os"
	"syscall"
)

// readWhole reads a file of the folder. os.ReadFile spends ten system calls
// a file (the poller's registration and non-blocking mode among them); a
// regular file needs open, fstat, one read (of more than its size: a
// shorter answer is its end) and close, and a workspace of a thousand items
// reads a thousand files on every start.
func readWhole(name string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return os.ReadFile(name) // not a regular file: the general path
	}
	buf := make([]byte, 0, int(st.Size)+1) // +1: the read that sees the end
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if int64(len(buf)) == st.Size && n < cap(buf)-len(buf)+n {
			// the whole file, in a read that asked for more: its end
			return buf, nil
		}
	}
}

// inode is a file's inode number: a file replaced by a rename has a new
// one even when its size and time match the old one's.
func inode(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
