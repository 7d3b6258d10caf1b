package vault

import "strings"

// secretEnvVars are the variables that carry authdeck's own secrets.
var secretEnvVars = []string{"AUTHDECK_PASSPHRASE"}

// ChildEnv returns environ (os.Environ's form) without the variables that
// carry authdeck's own secrets, for the programs authdeck starts: browsers
// and their openers, clipboard tools, `authdeck exec`'s command. None of
// them needs the file vault's passphrase, and a browser hands its whole
// environment to every process it starts (S-33).
func ChildEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		secret := false
		for _, s := range secretEnvVars {
			if k == s {
				secret = true
				break
			}
		}
		if !secret {
			out = append(out, kv)
		}
	}
	return out
}
