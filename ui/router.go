package ui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/ui/screens/vaultpane"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
)

// themesMsg carries the user and built-in themes read at start.
type themesMsg struct {
	all []themes.Theme
	err error
}

// themeSavedMsg reports the outcome of remembering the theme choice.
type themeSavedMsg struct{ err error }

func loadThemesCmd(dir string) tea.Cmd {
	return func() tea.Msg {
		all, err := themes.All(dir)
		return themesMsg{all: all, err: err}
	}
}

// route handles the intent messages screens and dialogs send upward.
func (m *Model) route(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.StatusMsg:
		return m.status.Show(msg), true
	case common.PushMsg:
		return m.push(msg.Screen), true
	case common.PopMsg:
		return m.pop(), true
	case common.OpenDialogMsg:
		return m.openDialog(msg.Dialog), true
	case common.CloseDialogMsg:
		m.dialog = nil
		return nil, true
	case passphraseAskMsg:
		return m.askPassphrase(msg), true
	case keyPassphraseAskMsg:
		return m.askKeyPassphrase(msg), true
	case common.CatalogMsg:
		m.setCatalog(msg.Catalog)
		return m.broadcast(msg), true
	case common.CatalogErrMsg:
		return m.status.Show(common.StatusMsg{Kind: common.StatusError, Text: common.Explain(msg.Err).OneLine()}), true
	case common.ReloadCatalogMsg:
		return common.LoadCatalogCmd(m.c.Vault), true
	case common.ResultMsg:
		return m.result(msg), true
	case common.CopyMsg:
		return m.c.Clipboard.Copy(msg.Label, msg.Value), true
	case common.SwitchEnvMsg:
		return m.switchEnv(msg), true
	case common.VaultProblemMsg:
		m.c.Log.Warn("vault problem", "backend", m.c.BackendLabel(), "err", msg.Err)
		return m.vaultProblem(msg.Err), true
	case themesMsg:
		if len(msg.all) > 0 {
			m.themeList = msg.all
			m.applyTheme()
		}
		if msg.err != nil {
			return common.Status(common.StatusWarning, "Some user themes were skipped: "+msg.err.Error()), true
		}
		return nil, true
	case vaultpane.OpenedMsg:
		m.c.Log.Info("vault switched", "backend", vault.BackendLabel(msg.Vault.Backend()))
		// Every engine and sender is derived from c.Vault when next used
		// (common/engines.go), so this one assignment switches them all.
		m.c.Vault = msg.Vault
		return tea.Batch(common.LoadCatalogCmd(msg.Vault), m.status.Show(common.StatusMsg{
			Kind: common.StatusSuccess,
			Text: "Using the encrypted file vault for this session (set AUTHDECK_VAULT=file to make it the default)",
		})), true
	case themeSavedMsg:
		if msg.err != nil {
			return common.Status(common.StatusWarning, "Theme not remembered: "+common.Explain(msg.err).OneLine()), true
		}
		return nil, true
	}
	return m.routeOpen(msg)
}

func (m *Model) result(msg common.ResultMsg) tea.Cmd {
	cmds := []tea.Cmd{m.broadcast(msg)}
	if msg.Err != nil {
		// vault and oauth errors never carry a secret value, so they may be logged
		m.c.Log.Warn("change failed", "tag", msg.Tag, "err", msg.Err)
		cmds = append(cmds, common.ErrorCmd(msg.Err))
		return tea.Batch(cmds...)
	}
	if msg.Catalog != nil {
		m.setCatalog(msg.Catalog)
		cmds = append(cmds, m.broadcast(common.CatalogMsg{Catalog: msg.Catalog}))
	}
	if msg.OK != "" {
		cmds = append(cmds, m.status.Show(common.StatusMsg{Kind: common.StatusSuccess, Text: msg.OK}))
	}
	return tea.Batch(cmds...)
}

// setCatalog records a new snapshot and settles the active environment.
func (m *Model) setCatalog(cat *vault.Catalog) {
	m.c.Catalog = cat
	if _, ok := cat.Env(m.c.Env); !ok || (!m.envForced && m.c.Env == "") {
		m.c.Env = cat.ActiveEnv
		if _, ok := cat.Env(m.c.Env); !ok && len(cat.Environments) > 0 {
			m.c.Env = cat.Environments[0].Name
		}
	}
	m.c.Clipboard.SetClearAfter(cat.Settings.ClipboardClear.Std())
}

func (m *Model) push(s common.Screen) tea.Cmd {
	if b, ok := m.Top().(interface{ Blur() }); ok {
		b.Blur()
	}
	s.SetSize(m.width, m.screenHeight())
	m.stack = append(m.stack, s)
	return s.Init()
}

func (m *Model) pop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	top := m.Top()
	if c, ok := top.(common.Closer); ok {
		c.Close()
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.status.LeftScreen(len(m.stack))
	if f, ok := m.Top().(interface{ Focus() tea.Cmd }); ok {
		return f.Focus()
	}
	return nil
}

func (m *Model) openDialog(d common.Dialog) tea.Cmd {
	d.SetSize(m.width, m.height)
	m.dialog = d
	return nil
}

func (m *Model) envChooser() common.Dialog {
	var opts []dialogs.Option
	if cat := m.c.Catalog; cat != nil {
		for _, e := range cat.Environments {
			name := e.Name
			desc := e.Description
			if e.Tenant != "" {
				desc = "tenant " + e.Tenant + "  " + desc
			}
			opts = append(opts, dialogs.Option{
				Label: name, Desc: desc, Current: name == m.c.Env,
				Cmd: func() tea.Msg { return common.SwitchEnvMsg{Env: name} },
			})
		}
	}
	opts = append(opts, dialogs.Option{Label: "+ new environment", Cmd: func() tea.Msg { return common.EditMsg{Kind: common.EditEnvironment} }})
	return dialogs.NewChoice(m.c, "Environment", opts)
}

// switchEnv shows the new environment at once and remembers it in the
// catalog (a catalog write; the secret store is not touched).
func (m *Model) switchEnv(msg common.SwitchEnvMsg) tea.Cmd {
	if msg.Env == m.c.Env {
		return nil
	}
	m.c.Env = msg.Env
	m.envForced = false
	for len(m.stack) > 1 {
		m.pop()
	}
	v, timeout := m.c.Vault, m.c.StoreTimeout
	cmds := []tea.Cmd{m.broadcast(msg)}
	if m.c.Catalog != nil {
		cmds = append(cmds, m.broadcast(common.CatalogMsg{Catalog: m.c.Catalog}))
	}
	cmds = append(cmds, common.ChangeCmd(v, timeout, "env", "Switched to "+msg.Env, func(_ context.Context, v *vault.Vault) error {
		return v.UseEnv(msg.Env)
	}))
	return tea.Batch(cmds...)
}

func (m *Model) theme() themes.Theme {
	i := slices.IndexFunc(m.themeList, func(t themes.Theme) bool { return t.Name == m.themeName })
	if i < 0 {
		return m.themeList[0]
	}
	return m.themeList[i]
}

// applyTheme rebuilds the styles and tells every screen.
func (m *Model) applyTheme() {
	m.c.Styles = styles.New(m.theme(), m.isDark)
	m.help.Styles = m.c.Styles.Help
	for _, s := range m.stack {
		if r, ok := s.(interface{ RefreshStyles() }); ok {
			r.RefreshStyles()
		}
	}
}

// cycleTheme switches to the next theme and remembers the choice.
func (m *Model) cycleTheme() tea.Cmd {
	names := make([]string, len(m.themeList))
	for i, t := range m.themeList {
		names[i] = t.Name
	}
	m.themeName = themes.Next(names, m.themeName)
	m.applyTheme()
	m.c.Log.Info("theme", "name", m.themeName, "dark", m.isDark)
	v, name := m.c.Vault, m.themeName
	t := m.theme()
	note := ""
	if t.Adaptive() {
		note = " (follows your terminal's light/dark background)"
	}
	return tea.Batch(
		m.status.Show(common.StatusMsg{Kind: common.StatusInfo, Text: "Theme " + name + note, TTL: 3 * time.Second}),
		func() tea.Msg {
			return themeSavedMsg{err: v.UpdateSettings(func(s *vault.Settings) { s.Theme = name })}
		},
	)
}

// vaultProblem shows the vault pane for errors that need the user.
func (m *Model) vaultProblem(err error) tea.Cmd {
	if _, ok := m.Top().(*vaultpane.Model); ok {
		return m.Top().Update(common.VaultProblemMsg{Err: err})
	}
	return m.push(vaultpane.New(m.c, err, m.opts.OpenFileVault))
}
