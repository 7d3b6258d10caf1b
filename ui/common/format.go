package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/vault"
)

// Countdown renders the time left until t as "4m 05s", "2h 10m", "3d 4h",
// or "expired 2m ago" once it has passed.
func Countdown(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired " + Ago(t, now)
	}
	return "in " + ShortDuration(d)
}

// Ago renders how long ago t was: "just now", "5s ago", "3m ago", "2h ago", "4d ago".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < time.Second {
		return "just now"
	}
	return ShortDuration(d) + " ago"
}

// ShortDuration renders d with its two largest units: "45s", "4m 05s",
// "2h 10m", "3d 4h".
func ShortDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := int(d % time.Minute / time.Second)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// When renders an absolute time for detail panes, in local time, with the
// relative time beside it: "2027-01-31 12:00 (in 3d 4h)".
func When(t, now time.Time) string {
	rel := Countdown(t, now)
	if t.Before(now) {
		rel = Ago(t, now)
	}
	return t.Local().Format("2006-01-02 15:04:05") + " (" + rel + ")"
}

// ExpiryNote describes an expiration for lists and details: "", "expires in
// 3d 4h", "expired 2h ago", "never expires" (when never is true).
func ExpiryNote(exp *time.Time, now time.Time, never bool) (string, vault.ExpiryState) {
	st := vault.ExpiryOf(exp, now)
	switch st {
	case vault.NoExpiry:
		if never {
			return "never expires", st
		}
		return "", st
	case vault.Expired:
		return "expired " + Ago(*exp, now), st
	case vault.Valid, vault.ExpiringSoon:
		// the time left, below
	}
	return "expires " + Countdown(*exp, now), st
}

// Plural returns "1 client" or "3 clients".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Scopes renders a scope list, or "(none)".
func Scopes(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, " ")
}

// Fit cuts s to at most h lines of at most w cells and adds empty lines up
// to h, without re-wrapping: much cheaper than a lipgloss Width/Height style
// for content that is already laid out.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if len(l) > w && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
