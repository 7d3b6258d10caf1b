// Package ui is authdeck's terminal interface: a Bubble Tea program whose
// root model (this file) only routes messages between a stack of screens
// (ui/screens), an optional dialog (ui/dialogs), the header, the status line
// and the key help. Everything that does IO runs in commands.
package ui

import (
	"io"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/header"
	"github.com/authdeck/authdeck/ui/components/statusline"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/ui/keys"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/screens/request"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
)

// Options configure the TUI.
type Options struct {
	// Vault is the workspace (required).
	Vault *vault.Vault
	// Engines configures the OAuth engines and the request sender, which
	// the TUI builds over its vault (engines.New); nil disables flows.
	Engines *engines.Config
	// Catalog is the catalog read before start, so the first frame shows it;
	// nil makes the TUI read it in a command.
	Catalog *vault.Catalog
	// Env overrides the active environment ($AUTHDECK_ENV, --env).
	Env string
	// Home is the authdeck home (user themes, the file vault).
	Home string
	// Getenv reads the environment (NO_COLOR, SSH_CONNECTION, DISPLAY).
	Getenv func(string) string
	// Now returns the current time; golden tests fix it.
	Now func() time.Time
	// Log receives diagnostics; it must write to a file, never the terminal.
	Log *slog.Logger
	// Theme forces a theme instead of the saved one.
	Theme string
	// Dark is the background assumed until the terminal answers the query.
	Dark bool
	// Clipboard overrides the clipboard (tests).
	Clipboard *common.Clipboard
	// OpenFileVault opens the encrypted file vault with a passphrase, for
	// the vault pane's "use the file vault" action.
	OpenFileVault func(passphrase string) (*vault.Vault, error)
	// RequestScreen builds the request console for what open asks (a saved
	// request, or a new one with a credential); nil means ui/screens/request.
	RequestScreen func(c *common.Common, open common.OpenRequestMsg) common.Screen
	// Passphrase, when set, is attached to the running program so the file
	// vault's passphrase is asked for in a dialog (its Ask is the store's
	// passphrase callback).
	Passphrase *PassphraseAsker
	// Banner is a line shown in the status line at start (the demo's URLs).
	Banner string
	// Workspace and WorkspacePath name the team workspace open and where
	// its folder is, for the header; empty for the personal workspace.
	Workspace, WorkspacePath string
}

// Model is the root model.
type Model struct {
	c      *common.Common
	opts   Options
	keys   keys.KeyMap
	stack  []common.Screen
	dialog common.Dialog
	status *statusline.Model
	help   help.Model

	themeName string
	themeList []themes.Theme
	isDark    bool
	envForced bool

	width, height int

	bannerTimer tea.Cmd

	headCache       string
	headCacheInfo   header.Info
	headCacheW      int
	headCacheStyles *styles.Styles
}

// New returns the root model over opts.Vault.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.RequestScreen == nil {
		opts.RequestScreen = func(c *common.Common, open common.OpenRequestMsg) common.Screen {
			s := request.New(c, open.Env, open.Name)
			if open.Name == "" && open.Auth != "" {
				s.SetAuth(open.Auth)
			}
			return s
		}
	}
	m := &Model{opts: opts, keys: keys.DefaultKeyMap(), isDark: opts.Dark, help: help.New()}
	saved := ""
	if opts.Catalog != nil {
		saved = opts.Catalog.Settings.Theme
	}
	m.themeName = themes.Choose(saved, opts.Getenv("NO_COLOR"))
	if opts.Theme != "" {
		m.themeName = opts.Theme
	}
	m.themeList = themes.Builtin()
	c := common.NewCommon(opts.Vault, styles.New(m.theme(), m.isDark))
	c.Now, c.Home, c.EngineConfig = opts.Now, opts.Home, opts.Engines
	c.Remote = common.IsRemote(opts.Getenv)
	if opts.Log != nil {
		c.Log = opts.Log
	}
	if opts.Clipboard != nil {
		c.Clipboard = opts.Clipboard
	} else {
		c.Clipboard = common.NewClipboard(common.ClipboardOptions{Mode: opts.Getenv("AUTHDECK_CLIPBOARD"), Remote: c.Remote, Getenv: opts.Getenv})
	}
	m.c = c
	m.status = statusline.New(func() *styles.Styles { return m.c.Styles })
	m.status.Depth = func() int { return len(m.stack) }
	m.stack = []common.Screen{browse.New(c)}
	if opts.Banner != "" {
		// shown from the very first frame; its timer starts with Init
		m.bannerTimer = m.status.Show(common.StatusMsg{Kind: common.StatusInfo, Text: opts.Banner, TTL: 20 * time.Second})
	}
	if opts.Env != "" {
		c.Env, m.envForced = opts.Env, true
	}
	if opts.Catalog != nil {
		m.setCatalog(opts.Catalog)
		m.broadcast(common.CatalogMsg{Catalog: opts.Catalog})
	}
	return m
}

// Common returns the shared state (for tests).
func (m *Model) Common() *common.Common { return m.c }

// Top returns the screen on top of the stack.
func (m *Model) Top() common.Screen { return m.stack[len(m.stack)-1] }

// Dialog returns the open dialog, if any.
func (m *Model) Dialog() common.Dialog { return m.dialog }

// Status returns the status line text.
func (m *Model) Status() string { return m.status.Text() }

// ThemeName returns the theme in use.
func (m *Model) ThemeName() string { return m.themeName }

// Init reads the catalog (when not given), the user themes and the terminal
// background; nothing here touches the secret store or the network.
func (m *Model) Init() tea.Cmd {
	items := 0
	if cat := m.c.Catalog; cat != nil {
		items = len(cat.Clients) + len(cat.Secrets) + len(cat.Requests)
	}
	m.c.Log.Info("tui start", "env", m.c.Env, "backend", m.c.BackendLabel(), "items", items, "theme", m.themeName, "remote", m.c.Remote)
	cmds := []tea.Cmd{
		func() tea.Msg { return tea.RequestBackgroundColor() },
		loadThemesCmd(themes.UserDir(m.opts.Home)),
	}
	if m.c.Catalog == nil {
		cmds = append(cmds, common.LoadCatalogCmd(m.c.Vault))
	}
	if m.bannerTimer != nil {
		cmds = append(cmds, m.bannerTimer)
	}
	cmds = append(cmds, m.Top().Init())
	return tea.Batch(cmds...)
}

// Update routes a message: size to everyone, keys to the dialog or the
// global bindings or the top screen, intents to the router, the rest to
// every screen (results find their owner by type and ID). The header is
// laid out again when what it shows changed.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.syncHeader()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		if dark := msg.IsDark(); dark != m.isDark {
			m.isDark = dark
			m.applyTheme()
		}
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.dialog != nil {
			return m.dialog.Update(msg)
		}
		return m.Top().Update(msg)
	}
	if cmd, ok := m.route(msg); ok {
		return cmd
	}
	if cmd, ok := m.c.Clipboard.Update(msg); ok {
		return cmd
	}
	if m.status.Update(msg) {
		return nil
	}
	return m.broadcast(msg)
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.dialog != nil {
		return m.dialog.Update(k)
	}
	top := m.Top()
	if !top.Capturing() {
		switch {
		case key.Matches(k, m.keys.Quit):
			return m.quit()
		case key.Matches(k, m.keys.Help):
			return m.openDialog(dialogs.NewHelp(m.c, "Keys — "+top.Title(), top, m.keys))
		case key.Matches(k, m.keys.Env):
			return m.openDialog(m.envChooser())
		case key.Matches(k, m.keys.Theme):
			return m.cycleTheme()
		case key.Matches(k, m.keys.Dashboard):
			return m.openDashboard()
		case key.Matches(k, m.keys.Back) && len(m.stack) > 1 && !wantsBack(top):
			return m.pop()
		}
	}
	return top.Update(k)
}

// backHandler is implemented by screens that use esc themselves (to cancel
// a running flow, to leave a form) and pop themselves when done.
type backHandler interface{ WantsBack() bool }

func wantsBack(s common.Screen) bool {
	b, ok := s.(backHandler)
	return ok && b.WantsBack()
}

// ClearClipboard clears the copies still waiting to be cleared (S-43), for
// the program's end: the caller runs it after the program has stopped,
// whichever way it stopped (a key, a signal), with the terminal as out.
func (m *Model) ClearClipboard(out io.Writer) int { return m.c.Clipboard.ClearPending(out) }

func (m *Model) quit() tea.Cmd {
	for _, s := range m.stack {
		if c, ok := s.(common.Closer); ok {
			c.Close()
		}
	}
	return tea.Quit
}

func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.stack)+1)
	for _, s := range m.stack {
		cmds = append(cmds, s.Update(msg))
	}
	if m.dialog != nil {
		cmds = append(cmds, m.dialog.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.c.Width, m.c.Height = w, h
	m.status.SetWidth(w)
	m.help.SetWidth(w)
	for _, s := range m.stack {
		s.SetSize(w, m.screenHeight())
	}
	if m.dialog != nil {
		m.dialog.SetSize(w, h)
	}
}

// screenHeight is what is left under the header and above status and help.
func (m *Model) screenHeight() int { return max(1, m.height-3) }

// View draws header, screen, status line and short help, with the dialog on top.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "authdeck"
	s := m.c.Styles
	v.BackgroundColor = s.Background
	v.ForegroundColor = s.Foreground
	if m.width <= 0 || m.height <= 0 {
		return v
	}
	top := m.Top()
	head := m.headCache
	body := common.Fit(top.View(), m.width, m.screenHeight())
	var km help.KeyMap = shortHelp{screen: top, global: m.keys, capturing: top.Capturing()}
	if m.dialog != nil {
		km = m.dialog
	}
	foot := m.help.ShortHelpView(km.ShortHelp())
	screen := head + "\n" + body + "\n" + m.status.View() + "\n" + foot
	if m.dialog != nil {
		screen = overlay(screen, m.dialog.View(), m.width, m.height)
	}
	v.SetContent(screen)
	return v
}

// syncHeader lays the header out again when something in it changed; View
// only draws it.
func (m *Model) syncHeader() {
	in := m.headerInfo()
	if in == m.headCacheInfo && m.width == m.headCacheW && m.c.Styles == m.headCacheStyles {
		return
	}
	m.headCacheInfo, m.headCacheW, m.headCacheStyles = in, m.width, m.c.Styles
	m.headCache = header.View(m.c.Styles, in, m.width)
}

func (m *Model) headerInfo() header.Info {
	in := header.Info{Env: m.c.Env, Backend: m.c.BackendLabel(), Theme: m.themeName, Workspace: m.opts.Workspace, WorkspacePath: m.opts.WorkspacePath}
	if e, ok := m.c.EnvInfo(); ok {
		in.Tenant = e.Tenant
	}
	if len(m.stack) > 1 {
		in.Screen = m.Top().Title()
	}
	return in
}

// overlay draws box centred over base.
func overlay(base, box string, w, h int) string {
	bw, bh := lipgloss.Size(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/2)
	return lipgloss.NewCompositor(lipgloss.NewLayer(base), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

// shortHelp combines the top screen's short help with the global bindings;
// while a field captures letters only ctrl+c works globally.
type shortHelp struct {
	screen    help.KeyMap
	global    keys.KeyMap
	capturing bool
}

// ShortHelp lists the screen's bindings, then the global ones.
func (h shortHelp) ShortHelp() []key.Binding {
	if h.capturing {
		return append(h.screen.ShortHelp(), h.global.ForceQuit)
	}
	return append(h.screen.ShortHelp(), h.global.ShortHelp()...)
}

// FullHelp lists every binding of the screen and the global ones.
func (h shortHelp) FullHelp() [][]key.Binding {
	return append(h.screen.FullHelp(), h.global.FullHelp()...)
}
