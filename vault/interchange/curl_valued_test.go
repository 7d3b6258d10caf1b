package interchange

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Every long option curl takes a value for is read past with its value: the
// next word is never taken for the URL; the ones authdeck reads take their
// value in curlOptions too.
func TestCurlValuedOptionsSkipTheirValue(t *testing.T) {
	t.Parallel()
	for opt := range curlValued {
		if o, known := curlLong[opt]; known {
			// Read for what it means; it must take its value too.
			if !o.value {
				t.Errorf("curl's %s takes a value; curlOptions says it does not", opt)
			}
			continue
		}
		in := "curl " + opt + " 1 https://x.example/p"
		b, _, err := ParseCurl([]byte(in), RequestImportOptions{Env: "dev"})
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if len(b.Requests) != 1 || b.Requests[0].URL == "http://1" || !strings.HasPrefix(b.Requests[0].URL, "https://x.example/p") {
			t.Errorf("%s: requests %+v", in, b.Requests)
		}
	}
}

// The list is the installed curl's own: `curl --help all` names the same
// long options with an argument (curl 7.88 here and in CI).
func TestCurlValuedMatchesCurl(t *testing.T) {
	t.Parallel()
	path, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed (CI installs it)")
		}
		t.Skip("curl is not installed")
	}
	out, err := exec.Command(path, "--help", "all").Output()
	if err != nil {
		t.Fatal(err)
	}
	version, _ := exec.Command(path, "--version").Output()
	if !strings.HasPrefix(string(version), "curl 7.88.") {
		t.Skipf("the list is curl 7.88's; this is %s", strings.SplitN(string(version), "\n", 2)[0])
	}
	re := regexp.MustCompile(`(?m)^\s*(?:-[A-Za-z0-9#:], )?(--[a-z0-9.-]+) <`)
	got := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		got[m[1]] = true
		if !curlValued[m[1]] {
			t.Errorf("curl's %s takes a value; curlValued does not list it", m[1])
		}
	}
	for opt := range curlValued {
		if !got[opt] {
			t.Errorf("curlValued lists %s, which curl --help all does not show with a value", opt)
		}
	}
}
