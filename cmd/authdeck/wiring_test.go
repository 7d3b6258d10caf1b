package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/vault"
)

// TestEveryFrontEndHonoursTheOpener: the engines of the token commands, the
// TUI and the demo are configured alike and open the browser with the
// injected opener — for both protocols, and in the TUI also after a switch
// of vault, since its engines are built from the same configuration.
func TestEveryFrontEndHonoursTheOpener(t *testing.T) {
	t.Parallel()
	var opened []string
	home := t.TempDir()
	a := &App{
		Getenv: func(k string) string { return map[string]string{"AUTHDECK_HOME": home}[k] },
		Opener: func(_ context.Context, u string) error { opened = append(opened, u); return nil },
	}
	v := vault.NewMemory()
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	tui := a.tuiOptions(v, cat, "", "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	configs := map[string]*engines.Config{"commands": a.engineConfig(v), "tui": tui.Engines, "demo": a.demoEngineConfig()}
	ctx := context.Background()
	for name, cfg := range configs {
		if cfg == nil {
			t.Fatalf("%s: no engines", name)
		}
		set := engines.New(v, cfg)
		opened = nil
		if err := set.OAuth2.Opener(ctx, "https://p.example/2"); err != nil {
			t.Fatal(err)
		}
		if err := set.OAuth1.Opener(ctx, "https://p.example/1"); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(opened, []string{"https://p.example/2", "https://p.example/1"}) {
			t.Errorf("%s: the injected opener saw %v", name, opened)
		}
	}
	if configs["tui"].LockDir == "" || configs["tui"].LockDir != configs["commands"].LockDir {
		t.Errorf("the TUI's lock dir %q differs from the commands' %q", configs["tui"].LockDir, configs["commands"].LockDir)
	}
}

// TestCommandTree pins the command tree newRootCmd wires: a command left out
// of it, or added twice, shows here.
func TestCommandTree(t *testing.T) {
	t.Parallel()
	want := []string{
		"authdeck",
		"authdeck agent", "authdeck check",
		"authdeck client", "authdeck client add", "authdeck client edit", "authdeck client keygen", "authdeck client list",
		"authdeck client pubkey", "authdeck client rm", "authdeck client show",
		"authdeck demo", "authdeck doctor",
		"authdeck env", "authdeck env add", "authdeck env list", "authdeck env rm", "authdeck env set", "authdeck env show",
		"authdeck env unset", "authdeck env use",
		"authdeck exec",
		"authdeck export", "authdeck export curl", "authdeck export postman", "authdeck export postman-env", "authdeck export secrets",
		"authdeck import", "authdeck init", "authdeck lock",
		"authdeck request", "authdeck request list", "authdeck request show",
		"authdeck secret", "authdeck secret add", "authdeck secret import", "authdeck secret list", "authdeck secret rm",
		"authdeck secret set", "authdeck secret show", "authdeck secret unshare",
		"authdeck send",
		"authdeck team", "authdeck team add", "authdeck team keygen", "authdeck team list", "authdeck team rm",
		"authdeck team sync", "authdeck team whoami",
		"authdeck token", "authdeck token introspect", "authdeck token revoke",
		"authdeck unlock", "authdeck vault", "authdeck vault passwd", "authdeck version",
		"authdeck workspace", "authdeck workspace export", "authdeck workspace show",
	}
	var got []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		got = append(got, c.CommandPath())
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(optionsApp().newRootCmd())
	if !slices.Equal(got, want) {
		t.Errorf("command tree:\n got %q\nwant %q", got, want)
	}
}
