package request

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestURLErrorQuotesNoPieceOfASecret (S-42): a secret variable whose value
// makes the URL fail to parse gives an error that names the field and says
// why it is not shown — not the reason of the parse error, which quotes a
// piece of the value (invalid URL escape "%7z").
func TestURLErrorQuotesNoPieceOfASecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const value = "host%7z-piece-of-a-secret"
	if err := f.v.SetVar(context.Background(), f.env, "hostSecret", value, true); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"http://{{hostSecret}}/x", "https://api.example.com/{{hostSecret}}"} {
		_, err := f.sender.Send(context.Background(), f.env, Spec{URL: target}, SendOptions{})
		if err == nil {
			t.Fatalf("%s was sent", target)
		}
		for _, piece := range []string{"%7z", "7z-piece", "piece-of"} {
			if strings.Contains(err.Error(), piece) {
				t.Errorf("%s: the error quotes %q of the secret value: %v", target, piece, err)
			}
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "url" || !strings.Contains(err.Error(), "secret variables") {
			t.Errorf("%s: error %v does not say the url is invalid once its secrets are filled in", target, err)
		}
	}
}
