//go:build authdeck_crashtest && unix

package vault

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// crashAt is "POINT#N" from AUTHDECK_TEST_CRASH_AT: the process kills
// itself with SIGKILL the Nth time it reaches POINT (N defaults to 1). Only
// a binary built with the authdeck_crashtest tag reads it.
var crashAt = struct {
	once  sync.Once
	mu    sync.Mutex
	point string
	n     int
	hits  int
}{}

func crashPoint(name string) {
	crashAt.once.Do(func() {
		spec := os.Getenv("AUTHDECK_TEST_CRASH_AT")
		point, count, _ := strings.Cut(spec, "#")
		crashAt.point, crashAt.n = point, 1
		if n, err := strconv.Atoi(count); err == nil && n > 0 {
			crashAt.n = n
		}
	})
	if crashAt.point != name {
		return
	}
	crashAt.mu.Lock()
	defer crashAt.mu.Unlock()
	crashAt.hits++
	if crashAt.hits == crashAt.n {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}
