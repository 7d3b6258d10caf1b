package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
)

// routeOpen turns the "open this" intents into screens.
func (m *Model) routeOpen(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.OpenRequestMsg:
		if m.opts.RequestScreen == nil {
			return common.Status(common.StatusInfo, "Saved request "+msg.Name+": "+errNoRequestConsole.Error()), true
		}
		return m.push(m.opts.RequestScreen(m.c, msg.Env, msg.Name)), true
	case common.OpenTokenMsg, common.RunFlowMsg, common.EditMsg, common.OpenWizardMsg, common.OpenImportMsg:
		return common.Status(common.StatusInfo, "not available yet"), true
	}
	return nil, false
}

func (m *Model) openDashboard() tea.Cmd {
	return common.Status(common.StatusInfo, "not available yet")
}
