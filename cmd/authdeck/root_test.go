package main

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

// TestCommandTreeNames: a command line that starts with a top-level
// command's name or alias builds that command alone, so the names the tree
// lists must be the ones the command answers to; and the command so built
// is the one the whole tree holds — the same subcommands, flags and help.
func TestCommandTreeNames(t *testing.T) {
	t.Parallel()
	full := optionsApp().newRootCmd()
	entries := optionsApp().commandTree()
	if len(entries) != len(full.Commands()) {
		t.Fatalf("%d entries in the tree, %d commands in the root", len(entries), len(full.Commands()))
	}
	for _, e := range entries {
		c := e.build()
		if names := append([]string{c.Name()}, c.Aliases...); !slices.Equal(names, e.names) {
			t.Errorf("the tree lists %q for the command that answers to %q", e.names, names)
		}
		for _, name := range e.names {
			alone := optionsApp().newRootCmdFor([]string{name, "x"})
			if len(alone.Commands()) != 1 || alone.Commands()[0].Name() != c.Name() {
				t.Errorf("%s: built %d commands", name, len(alone.Commands()))
				continue
			}
			in, _, err := full.Find([]string{name})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := usages(alone.Commands()[0]), usages(in); !slices.Equal(got, want) {
				t.Errorf("%s alone:\n%q\nin the whole tree:\n%q", name, got, want)
			}
		}
	}
	for _, args := range [][]string{nil, {"--env", "dev", "token", "x"}, {"help", "token"}, {"tokne"}, {"completion", "bash"}, {"__complete", "to"}} {
		if got := len(optionsApp().newRootCmdFor(args).Commands()); got != len(entries) {
			t.Errorf("%q built %d of %d commands", args, got, len(entries))
		}
	}
}

// usages lists the usage text of c and every command under it.
func usages(c *cobra.Command) []string {
	out := []string{c.CommandPath() + "\n" + c.UsageString()}
	for _, s := range c.Commands() {
		out = append(out, usages(s)...)
	}
	return out
}
