// Package header draws the top bar: the app, the team workspace, the active
// environment and its tenant, the screen, and the vault backend.
package header

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/styles"
)

// Info is what the header shows.
type Info struct {
	Env     string
	Tenant  string
	Screen  string
	Backend string
	Theme   string
	// Workspace names the team workspace open, and WorkspacePath says where
	// its folder is; both empty for the personal workspace.
	Workspace, WorkspacePath string
}

// View renders the header bar at width.
func View(s *styles.Styles, in Info, width int) string {
	if width <= 0 {
		return ""
	}
	sep := s.HeaderLabel.Render("  ")
	left := s.HeaderApp.Render("authdeck")
	if in.Screen != "" {
		left += s.HeaderLabel.Render(" › ") + s.HeaderValue.Render(in.Screen)
	}
	env := s.HeaderLabel.Render("env ") + s.HeaderValue.Render(orDash(in.Env))
	if in.Tenant != "" {
		env += s.HeaderLabel.Render(" tenant ") + s.HeaderValue.Render(in.Tenant)
	}
	right := s.HeaderLabel.Render("vault ") + s.HeaderBackend.Render(orDash(in.Backend))
	inner := width - s.Header.GetHorizontalPadding()
	if in.Workspace != "" {
		// the team workspace before the environment; its path while it fits
		ws := s.HeaderLabel.Render("team ") + s.HeaderValue.Render(in.Workspace)
		withPath := ws
		if in.WorkspacePath != "" {
			withPath += s.HeaderLabel.Render(" " + in.WorkspacePath)
		}
		if ansi.StringWidth(left+withPath+sep+env+right)+4 <= inner {
			env = withPath + sep + env
		} else {
			env = ws + sep + env
		}
	}
	parts := []string{left, env, right}
	used := 0
	for _, p := range parts {
		used += ansi.StringWidth(p)
	}
	gap := inner - used
	var line string
	if gap >= 4 {
		// environment in the middle, backend on the right
		g1 := gap / 2
		line = left + s.HeaderLabel.Render(strings.Repeat(" ", g1)) + env + s.HeaderLabel.Render(strings.Repeat(" ", gap-g1)) + right
	} else {
		line = ansi.Truncate(left+sep+env+sep+right, inner, "…")
		if w := ansi.StringWidth(line); w < inner {
			line += s.HeaderLabel.Render(strings.Repeat(" ", inner-w))
		}
	}
	return s.Header.Render(line)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
