package request

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault/history"
)

// currentSender is the console's sender, made again after the session's
// vault was switched so credentials and tokens come from the vault in use.
func (m *Model) currentSender() *oreq.Sender {
	if !m.c.SenderFresh(m.sender) {
		m.sender = m.c.NewSender()
	}
	return m.sender
}

// send starts the request in a command; a newer send drops an older result.
func (m *Model) send() tea.Cmd {
	spec, err := m.buildSpec()
	if err != nil {
		return common.Status(common.StatusError, err.Error())
	}
	if spec.URL == "" {
		m.setFocus(fieldURL)
		return common.Status(common.StatusWarning, "Type a URL first")
	}
	if m.cancel != nil {
		m.cancel()
	}
	// The last response is let go before the next one is read (the memory budget:
	// ≤ 80 MB with a 10 MB body): holding it, and its pretty layout, while a
	// second body of the same size arrives would keep two alive at the peak.
	// Its summary stays in the history; the console shows "sending…".
	cmd := m.release()
	m.seq++
	m.busy, m.err, m.showHistory = true, nil, false
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	seq, s, env, started := m.seq, m.currentSender(), m.env, m.c.Now()
	headers := m.headerRows()
	m.setFocus(fieldResponse)
	return tea.Batch(cmd, m.spin.Tick, func() tea.Msg {
		resp, err := s.Send(ctx, env, spec, oreq.SendOptions{})
		return sentMsg{seq: seq, resp: resp, err: err, spec: spec, started: started, headers: headers}
	})
}

// release drops the response on screen: the viewer lets go of its body and
// layout (cancelling a layout still running), and a body kept in a
// temporary file is removed by the command returned.
func (m *Model) release() tea.Cmd {
	var cmd tea.Cmd
	if m.resp != nil && m.resp.BodyFile != "" {
		cmd = removeCmd(m.resp.BodyFile)
	}
	m.resp, m.scroll = nil, 0
	m.viewer.SetBody(nil)
	return cmd
}

func (m *Model) sent(msg sentMsg) tea.Cmd {
	m.busy, m.cancel = false, nil
	var cmds []tea.Cmd // the previous response went when the send started
	home, env, name := m.c.Home, m.env, ""
	if m.saved != nil {
		name = m.saved.Name
	}
	var entry history.Entry
	if msg.err != nil {
		m.err, m.resp = msg.err, nil
		m.viewer.SetNotice("")
		entry = oreq.FailedHistoryEntry(nil, env, name, msg.spec, msg.started, msg.err)
		cmds = append(cmds, common.ErrorCmd(msg.err))
	} else {
		r := msg.resp
		m.resp, m.spec, m.err, m.scroll = r, msg.spec, nil, 0
		switch {
		case r.BodyFile != "":
			m.viewer.SetNotice(fmt.Sprintf("The body (%s) is over the in-memory limit and went to a temporary file (0600): o saves it, x discards it.", oreq.FormatSize(r.Size)))
		default:
			cmds = append(cmds, m.viewer.SetBody(r.Body))
		}
		for _, w := range r.Request.Warnings {
			cmds = append(cmds, common.Status(common.StatusWarning, w))
		}
		if scope, ok := r.InsufficientScope(); ok {
			cmds = append(cmds, common.Status(common.StatusWarning, fmt.Sprintf("The server needs scope %q (403 insufficient_scope); get a token with it and send again", scope)))
		}
		entry = r.HistoryEntry(env, name, msg.spec, msg.started)
	}
	keepDisabledHeaders(&entry, msg.headers)
	m.history = append([]history.Entry{entry}, m.history...)
	if len(m.history) > history.MaxEntries {
		m.history = m.history[:history.MaxEntries]
	}
	cmds = append(cmds, func() tea.Msg {
		h, err := historyStore(home)
		if err == nil {
			err = h.Add(entry)
		}
		if err != nil {
			return common.StatusMsg{Kind: common.StatusWarning, Text: "The history was not updated: " + err.Error()}
		}
		return nil
	})
	return tea.Batch(cmds...)
}

// curl prepares the request (reading secrets only with reveal) and copies it.
func (m *Model) curl(reveal bool) tea.Cmd {
	spec, err := m.buildSpec()
	if err != nil {
		return common.Status(common.StatusError, err.Error())
	}
	s, env, timeout := m.currentSender(), m.env, m.c.StoreTimeout
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		p, err := s.Prepare(ctx, env, spec, reveal)
		if err != nil {
			return curlMsg{err: err}
		}
		return curlMsg{text: p.Curl(true), reveal: reveal}
	}
}
