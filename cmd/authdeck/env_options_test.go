package main

import (
	"context"
	"strings"
	"testing"
)

// The env verbs' command lines become options, without a vault.
func TestEnvCommandOptions(t *testing.T) {
	a := optionsApp()
	var set *envSetOptions
	runUnder(t, a, newEnvSetCmd(a, func(_ context.Context, o *envSetOptions) error { set = o; return nil }), "baseUrl", "https://api.example.com")
	if set == nil || set.Key != "baseUrl" || !set.HasValue || set.Value != "https://api.example.com" || set.Secret {
		t.Fatalf("set options: %+v", set)
	}
	a = optionsApp()
	set = nil
	runUnder(t, a, newEnvSetCmd(a, func(_ context.Context, o *envSetOptions) error { set = o; return nil }), "apiToken", "--secret", "--value-stdin")
	if set == nil || set.HasValue || !set.Secret || !set.ValueStdin {
		t.Fatalf("secret set options: %+v", set)
	}
	// The value rule is checked before anything is read: a secret value on
	// the command line is refused.
	set.HasValue, set.Value = true, "on-the-command-line"
	if _, err := envSetValue(set); err == nil || !strings.Contains(err.Error(), "never taken from the command line") {
		t.Fatalf("a secret value from argv: %v", err)
	}

	a = optionsApp()
	var show *envShowOptions
	runUnder(t, a, newEnvShowCmd(a, func(_ context.Context, o *envShowOptions) error { show = o; return nil }), "prod", "--reveal")
	if show == nil || show.Name != "prod" || !show.Reveal || show.AsJSON {
		t.Fatalf("show options: %+v", show)
	}
	a = optionsApp()
	var rm *envRmOptions
	runUnder(t, a, newEnvRmCmd(a, func(_ context.Context, o *envRmOptions) error { rm = o; return nil }), "staging", "-y")
	if rm == nil || rm.Name != "staging" || !rm.Yes {
		t.Fatalf("rm options: %+v", rm)
	}
}
