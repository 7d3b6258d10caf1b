package flow

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
)

// pane is what the OAuth 2.0 and OAuth 1.0a flow panes share: the running
// flow's ID and event channel, the spinner, the steps so far, the
// authorization prompt, and the transcript viewport.
type pane struct {
	c *common.Common

	id     int64
	state  state
	cancel context.CancelFunc
	events chan tea.Msg
	spin   spinner.Model
	steps  []string
	auth   *oauth.AuthPrompt
	// browserErr says why the browser did not open, while it did not.
	browserErr string
	visible    bool
	showLog    bool
	// qrAlone shows the QR code on its own, for a URL too long for its
	// code to fit beside or under the text (Q toggles it).
	qrAlone bool
	// cancelled is true once the person cancelled the running flow, so
	// its end reads as their choice, not as a failure.
	cancelled bool
	log       viewport.Model
	width     int
	height    int
	started   time.Time
}

func newPane(c *common.Common) pane {
	return pane{c: c, visible: true, log: viewport.New()}
}

// stepCancelling and stepCancelled are the steps a cancel adds: the first
// while the flow winds down, the second once it has.
const (
	stepCancelling = "cancelling…"
	stepCancelled  = "cancelled: nothing was stored"
)

// userCancel cancels the running flow at the person's request.
func (p *pane) userCancel() {
	p.cancel()
	p.cancelled = true
	p.steps = append(p.steps, stepCancelling)
}

// settleCancel rewrites the cancelling step once the flow has ended: it
// was cancelled when it ended with an error, else it finished first.
func (p *pane) settleCancel(failed bool) {
	if !p.cancelled {
		return
	}
	for i, st := range p.steps {
		if st != stepCancelling {
			continue
		}
		p.steps[i] = stepCancelled
		if !failed {
			p.steps[i] = "it finished before the cancel reached it"
		}
	}
}

// Running reports whether the flow is still going.
func (p *pane) Running() bool { return p.state == running }

// AuthPrompt returns the authorization prompt, once shown.
func (p *pane) AuthPrompt() *oauth.AuthPrompt { return p.auth }

// Blur stops the animation while another screen covers the pane.
func (p *pane) Blur() { p.visible = false }

// Focus restarts it when the pane is on top again.
func (p *pane) Focus() tea.Cmd {
	p.visible = true
	if p.state == running {
		return p.spin.Tick
	}
	return nil
}

// SetSize records the size.
func (p *pane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.log.SetWidth(max(10, w-4))
	p.log.SetHeight(max(3, h/2-2))
}

// update handles the messages every flow pane answers alike: spinner
// ticks, progress steps and the authorization prompt. ok is false for any
// other message.
func (p *pane) update(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if msg.ID != p.spin.ID() || p.state != running || !p.visible {
			return nil, true // no ticking when nothing animates
		}
		p.spin, cmd = p.spin.Update(msg)
		return cmd, true
	case progressMsg:
		if msg.id != p.id {
			return nil, true
		}
		p.steps = append(p.steps, msg.text)
		return listen(p.events), true
	case authMsg:
		if msg.id != p.id {
			return nil, true
		}
		a := msg.prompt
		p.auth = &a
		return listen(p.events), true
	case openedMsg:
		if msg.id != p.id {
			return nil, true
		}
		var next tea.Cmd
		if msg.fromFlow {
			next = listen(p.events)
		}
		if msg.err == nil {
			p.browserErr = ""
			return next, true
		}
		p.browserErr = sanitizeLine(msg.err.Error())
		return tea.Batch(next, common.Status(common.StatusWarning, "The browser did not open ("+p.browserErr+"): copy the URL (u) or scan the QR code")), true
	}
	return nil, false
}

// browserLine says the browser failed to open, if it did, and what to do.
func (p *pane) browserLine() []string {
	if p.browserErr == "" {
		return nil
	}
	s := p.c.Styles
	return []string{s.Error.Render("✗ The browser did not open: " + p.browserErr), s.Text.Render("Copy the URL (u) and open it yourself, or scan the QR code; o tries again.")}
}

// sanitizeLine keeps an error on one printable line.
func sanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// setLog shows a transcript's text, following it when already at the bottom.
func (p *pane) setLog(text string) {
	at := p.log.AtBottom()
	p.log.SetContent(p.c.Styles.Code.Render(strings.TrimRight(text, "\n")))
	if at {
		p.log.GotoBottom()
	}
}

// open opens target in the browser (the engine's opener, else the system's),
// or explains why not over SSH.
func (p *pane) open(target string) tea.Cmd {
	if p.c.Remote {
		return common.Status(common.StatusInfo, "This is an SSH session: a browser would open on the server. Copy the URL (u) or scan the QR code instead.")
	}
	var opener oauth.Opener
	if e := p.c.OAuth2Engine(); e != nil {
		opener = e.Opener
	}
	if opener == nil {
		opener = oauth.SystemOpener(nil)
	}
	id := p.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return openedMsg{id: id, err: opener(ctx, target)}
	}
}
