package uitest

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
)

// Host runs one screen the way the root model would, recording the intents
// it sends (status, copies, pushes) instead of acting on them, except dialogs
// (shown and given the keys) and catalog changes (applied).
type Host struct {
	C       *common.Common
	Screen  common.Screen
	Dialog  common.Dialog
	Status  []common.StatusMsg
	Copies  []common.CopyMsg
	Pushed  []common.Screen
	Intents []tea.Msg
	Popped  int
}

// NewCommon returns a Common over v with the default theme, a fixed clock
// and the catalog loaded.
func NewCommon(v *vault.Vault) *common.Common {
	c := common.NewCommon(v, styles.New(themes.Builtin()[0], true))
	c.Now = func() time.Time { return FixtureNow }
	c.Catalog = Catalog(v)
	c.Env = c.Catalog.ActiveEnv
	c.Clipboard = common.NewClipboard(common.ClipboardOptions{Mode: "osc52"})
	return c
}

// NewHost hosts s.
func NewHost(c *common.Common, s common.Screen) *Host { return &Host{C: c, Screen: s} }

// Init initialises the screen and hands it the catalog.
func (h *Host) Init() tea.Cmd {
	cat := h.C.Catalog
	return tea.Batch(h.Screen.Init(), func() tea.Msg { return common.CatalogMsg{Catalog: cat} })
}

// Update routes msg.
func (h *Host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.C.Width, h.C.Height = msg.Width, msg.Height
		h.Screen.SetSize(msg.Width, msg.Height)
		if h.Dialog != nil {
			h.Dialog.SetSize(msg.Width, msg.Height)
		}
		return h, nil
	case tea.KeyPressMsg, tea.PasteMsg:
		if h.Dialog != nil {
			return h, h.Dialog.Update(msg)
		}
		return h, h.Screen.Update(msg)
	case common.StatusMsg:
		h.Status = append(h.Status, msg)
		return h, nil
	case common.CopyMsg:
		h.Copies = append(h.Copies, msg)
		return h, nil
	case common.PushMsg:
		h.Pushed = append(h.Pushed, msg.Screen)
		return h, nil
	case common.PopMsg:
		h.Popped++
		return h, nil
	case common.OpenDialogMsg:
		h.Dialog = msg.Dialog
		h.Dialog.SetSize(h.C.Width, h.C.Height)
		return h, nil
	case common.CloseDialogMsg:
		h.Dialog = nil
		return h, nil
	case common.CatalogMsg:
		h.C.Catalog = msg.Catalog
	case common.ResultMsg:
		if msg.Err != nil {
			h.Status = append(h.Status, common.StatusMsg{Kind: common.StatusError, Text: common.Explain(msg.Err).OneLine()})
		} else if msg.Catalog != nil {
			h.C.Catalog = msg.Catalog
			return h, tea.Batch(h.Screen.Update(msg), h.Screen.Update(common.CatalogMsg{Catalog: msg.Catalog}))
		}
	case common.ReloadCatalogMsg:
		v := h.C.Vault
		return h, common.LoadCatalogCmd(v)
	case common.OpenTokenMsg, common.RunFlowMsg, common.EditMsg, common.OpenWizardMsg, common.OpenImportMsg, common.OpenRequestMsg, common.VaultProblemMsg:
		h.Intents = append(h.Intents, msg)
		return h, nil
	}
	cmd := h.Screen.Update(msg)
	if h.Dialog != nil {
		cmd = tea.Batch(cmd, h.Dialog.Update(msg))
	}
	return h, cmd
}

// View renders the screen with the dialog, if any, under it.
func (h *Host) View() tea.View {
	s := h.Screen.View()
	if h.Dialog != nil {
		s += "\n" + h.Dialog.View()
	}
	return tea.NewView(s)
}

// LastStatus returns the last status text ("" when none).
func (h *Host) LastStatus() string {
	if len(h.Status) == 0 {
		return ""
	}
	return h.Status[len(h.Status)-1].Text
}
