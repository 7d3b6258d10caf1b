package common

// IsRemote reports whether authdeck runs in an SSH session, where a browser
// opened "locally" would open on the server and the user cannot reach a
// loopback redirect from their own machine.
func IsRemote(getenv func(string) string) bool {
	return getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" || getenv("SSH_CLIENT") != ""
}
