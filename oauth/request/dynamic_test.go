package request

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// REST Client and JetBrains system variables are made at send time; values
// read from the process environment are masked on display and never stored.
func TestSystemVariablesAtSendTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sender.Getenv = func(n string) (string, bool) { return map[string]string{"CI_TOKEN": fakeToken1}[n], n == "CI_TOKEN" }
	srv := newRecorder(t, "", nil)
	resp := send(t, f, Spec{
		Method:  "POST",
		URL:     srv.URL + "/items/{{$guid}}?n={{$randomInt 1 2}}&r={{$random.integer(5, 6)}}",
		Headers: []vault.Header{{Name: "X-Token", Value: "{{$processEnv CI_TOKEN}}"}, {Name: "X-Day", Value: "{{$datetime 'YYYY-MM-DD'}}"}},
		Body:    `{"id":"{{$guid}}","at":"{{$datetime iso8601}}"}`,
	})
	r := srv.got()[0]
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	m := regexp.MustCompile(`^/items/(` + uuid + `)\?n=1&r=5$`).FindStringSubmatch(r.URL)
	if m == nil {
		t.Fatalf("URL %q", r.URL)
	}
	if r.Header.Get("X-Token") != fakeToken1 {
		t.Errorf("$processEnv not read at send: %q", r.Header.Get("X-Token"))
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(r.Header.Get("X-Day")) {
		t.Errorf("X-Day %q", r.Header.Get("X-Day"))
	}
	if !strings.Contains(r.Body, `"id":"`+m[1]+`"`) || !regexp.MustCompile(`"at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`).MatchString(r.Body) {
		t.Errorf("body %q", r.Body)
	}
	shown := preparedText(resp.Request)
	if !strings.Contains(shown, m[1]) {
		t.Errorf("the display does not show the value sent:\n%s", shown)
	}
	if strings.Contains(shown, fakeToken1) {
		t.Errorf("a $processEnv value is shown unmasked:\n%s", shown)
	}
	c, _ := f.v.Load()
	e, _ := c.Env(f.env)
	for _, v := range e.Variables {
		if strings.HasPrefix(v.Name, "$") {
			t.Errorf("dynamic variable %q stored", v.Name)
		}
	}
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL + "/{{$processEnv NOT_SET}}"}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), "NOT_SET is not set") {
		t.Fatalf("unset environment variable: err = %v", err)
	}
	_, err = f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL + "/{{$random.integer(9, 1)}}"}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), "from < to") {
		t.Fatalf("bad arguments: err = %v", err)
	}
	if len(srv.got()) != 1 {
		t.Fatal("a request with a bad dynamic variable went out")
	}
}
