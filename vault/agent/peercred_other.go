//go:build !linux

package agent

import (
	"io/fs"
	"net"
)

func checkPeerSupport() error { return ErrUnsupported }

func peerUID(*net.UnixConn) (int, error) { return -1, ErrUnsupported }

func fileOwner(fs.FileInfo) (int, bool) { return -1, false }
