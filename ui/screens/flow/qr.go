package flow

// What the prompts show beside their text: the QR code, the user code and
// the authorization URL, wrapped.

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// withQR puts the QR code beside the text when the pane is wide enough,
// else under it when it is tall enough, else leaves it out and says so.
func (m *Model) withQR(lines []string, qr string, w int) string {
	return qrBlock(m.c, lines, qr, w, m.height)
}

// currentQR is the QR code of the prompt on screen, if any.
func (m *Model) currentQR() string {
	switch {
	case m.device != nil:
		return m.device.QR
	case m.auth != nil:
		return m.auth.QR
	}
	return ""
}

// qrBlock puts the QR code beside the text when the pane is wide enough,
// else under it when it is tall enough, else says that Q shows it on its
// own (a long authorization URL makes a code taller than the text leaves
// room for).
func qrBlock(c *common.Common, lines []string, qr string, w, height int) string {
	text := strings.Join(lines, "\n")
	if qr == "" {
		return lipgloss.NewStyle().Width(w).Render(text)
	}
	qrR := c.Styles.QR.Render(strings.TrimRight(qr, "\n"))
	qw, qh := lipgloss.Size(qrR)
	if tw := w - qw - 2; tw >= 40 && qh <= height-4 {
		return lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(tw).Render(text), "  ", qrR)
	}
	out := lipgloss.NewStyle().Width(w).Render(text)
	if qw <= w && lipgloss.Height(out)+qh <= height-4 {
		return lipgloss.JoinVertical(lipgloss.Left, out, qrR)
	}
	if qw <= w+2 && qh <= height-1 {
		return out + "\n" + c.Styles.Faint.Render("(Q shows the QR code on its own)")
	}
	return out + "\n" + c.Styles.Faint.Render(fmt.Sprintf("(the QR code needs %d×%d: enlarge the terminal to see it)", qw+2, qh+1))
}

// qrAloneView is the QR code by itself, for a phone to scan, with the way
// back under it.
func qrAloneView(c *common.Common, qr string, width, height int) string {
	qrR := c.Styles.QR.Render(strings.TrimRight(qr, "\n"))
	qw, qh := lipgloss.Size(qrR)
	if qw > width || qh > height-1 {
		return lipgloss.NewStyle().Padding(0, 1).Width(width).Render(c.Styles.Faint.Render(
			fmt.Sprintf("The QR code needs %d×%d; the terminal gives %d×%d. Enlarge it, or press Q to go back and copy the URL (u).", qw, qh+1, width, height)))
	}
	return lipgloss.JoinVertical(lipgloss.Left, qrR, c.Styles.Faint.Render("Q goes back to the text"))
}

// showCode shows a user code letter by letter, or escaped as a whole when
// the server put control characters in it (S-40).
func showCode(code string) string {
	if !termsafe.Clean(code) {
		return termsafe.Line(code)
	}
	return spaced(code)
}

func spaced(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

func wrapURL(u string, w int) string {
	if w <= 0 {
		return u
	}
	var b strings.Builder
	for len(u) > w {
		b.WriteString(u[:w] + "\n")
		u = u[w:]
	}
	b.WriteString(u)
	return b.String()
}
