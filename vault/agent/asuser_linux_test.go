package agent

import "syscall"

// asUser runs a child process as uid (and the same gid).
func asUser(uid uint32) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
}
