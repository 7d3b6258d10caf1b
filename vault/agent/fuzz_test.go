package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// FuzzAgentRequest: whatever a client sends, the agent answers with one
// JSON line and hands out the identity only for an identity request naming
// the identity file it holds.
func FuzzAgentRequest(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	sum := sha256.Sum256([]byte("identity file"))
	good := hex.EncodeToString(sum[:])
	for _, seed := range []string{
		`{"op":"identity","sum":"` + good + `"}` + "\n",
		`{"op":"identity","sum":"00"}` + "\n",
		`{"op":"status"}` + "\n",
		`{"op":"identity","sum":"` + good + `","op":"status"}` + "\n",
		`{"op":"IDENTITY","Sum":"` + good + `"}` + "\n",
		`{"op":"identity"}`,
		"\n",
		`[]` + "\n",
		strings.Repeat("{", 100) + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &Server{deadline: time.Now().Add(time.Minute), id: id, sum: sum, stop: make(chan struct{})}
		var out bytes.Buffer
		s.answer(bytes.NewReader(in), &out)
		line := out.Bytes()
		if len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
			t.Fatalf("answer is not one line: %q", line)
		}
		var resp response
		if err := json.Unmarshal(line, &resp); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if resp.Identity == "" {
			return
		}
		if resp.Identity != id.String() {
			t.Fatal("the agent answered with an identity it does not hold")
		}
		// Only a well-formed identity request for this file gets it.
		var req request
		nl := bytes.IndexByte(in, '\n')
		if nl < 0 || json.Unmarshal(in[:nl+1], &req) != nil || req.Op != "identity" || req.Sum != good {
			t.Fatalf("the identity was handed out for %q", in)
		}
	})
}
