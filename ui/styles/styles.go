// Package styles turns a themes palette into every lipgloss style the TUI
// uses, in one place: no other ui package names a colour.
package styles

import (
	"image/color"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/themes"
)

// Styles is every style of the TUI, built from one palette.
type Styles struct {
	// Theme is the theme the styles were built from.
	Theme themes.Theme
	// IsDark says which variant of the theme is in use.
	IsDark bool
	// Palette is the variant in use.
	Palette themes.Palette

	// Background and Foreground, when not nil, are painted as the terminal's
	// own colours (themes that bring their own background).
	Background color.Color
	Foreground color.Color

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Faint  lipgloss.Style
	Bold   lipgloss.Style
	Accent lipgloss.Style
	Link   lipgloss.Style

	Header        lipgloss.Style
	HeaderApp     lipgloss.Style
	HeaderLabel   lipgloss.Style
	HeaderValue   lipgloss.Style
	HeaderBackend lipgloss.Style

	Pane        lipgloss.Style
	PaneFocused lipgloss.Style
	PaneTitle   lipgloss.Style

	ListSection      lipgloss.Style
	ListItem         lipgloss.Style
	ListSelected     lipgloss.Style
	ListSelectedBlur lipgloss.Style
	ListMatch        lipgloss.Style
	ListHint         lipgloss.Style
	// ListSelectedHint is a hint on the selected row (keeps the row's background).
	ListSelectedHint lipgloss.Style
	ListEmpty        lipgloss.Style

	FilterPrompt lipgloss.Style
	FilterText   lipgloss.Style

	DetailTitle lipgloss.Style
	DetailLabel lipgloss.Style
	DetailValue lipgloss.Style
	Masked      lipgloss.Style
	Revealed    lipgloss.Style
	Code        lipgloss.Style
	ClaimKey    lipgloss.Style

	Success lipgloss.Style
	Warning lipgloss.Style
	Error   lipgloss.Style
	Info    lipgloss.Style

	StatusInfo    lipgloss.Style
	StatusSuccess lipgloss.Style
	StatusWarning lipgloss.Style
	StatusError   lipgloss.Style

	Dialog      lipgloss.Style
	DialogTitle lipgloss.Style
	ErrorPane   lipgloss.Style
	ErrorTitle  lipgloss.Style

	Button       lipgloss.Style
	ButtonActive lipgloss.Style
	// ButtonDanger is the focused button of a destructive action.
	ButtonDanger lipgloss.Style

	UserCode lipgloss.Style
	Spinner  lipgloss.Style
	QR       lipgloss.Style

	Help help.Styles

	// huh is the form theme, built on first use: huh asks its theme for
	// styles on every update and view of every field, and building them
	// anew each time made typing into a form cost a whole theme per key.
	huhOnce sync.Once
	huh     *huh.Styles
}

// New builds the styles of theme t for a dark or light terminal.
func New(t themes.Theme, isDark bool) *Styles {
	p := t.Variant(isDark)
	mono := t.Monochrome
	c := lipgloss.Color
	fg := func(col string) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(col)) }

	s := &Styles{Theme: t, IsDark: isDark, Palette: p}
	if p.Background != "" {
		s.Background = c(p.Background)
		if p.Foreground != "" {
			s.Foreground = c(p.Foreground)
		}
	}

	s.Text = fg(p.Foreground)
	s.Muted = fg(p.Muted)
	s.Faint = fg(p.Faint)
	s.Bold = s.Text.Bold(true)
	s.Accent = fg(p.Accent).Bold(true)
	s.Link = fg(p.Secondary).Underline(mono)

	s.Header = lipgloss.NewStyle().Foreground(c(p.HeaderForeground)).Background(c(p.HeaderBackground)).Padding(0, 1)
	s.HeaderApp = lipgloss.NewStyle().Foreground(c(p.Accent)).Background(c(p.HeaderBackground)).Bold(true)
	s.HeaderLabel = lipgloss.NewStyle().Foreground(c(p.Muted)).Background(c(p.HeaderBackground))
	s.HeaderValue = lipgloss.NewStyle().Foreground(c(p.HeaderForeground)).Background(c(p.HeaderBackground)).Bold(true)
	s.HeaderBackend = lipgloss.NewStyle().Foreground(c(p.Secondary)).Background(c(p.HeaderBackground)).Bold(true)
	if mono {
		s.Header = s.Header.Reverse(true)
		s.HeaderApp = s.HeaderApp.Reverse(true)
		s.HeaderLabel = s.HeaderLabel.Reverse(true)
		s.HeaderValue = s.HeaderValue.Reverse(true)
		s.HeaderBackend = s.HeaderBackend.Reverse(true)
	}

	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.Border)).Padding(0, 1)
	s.PaneFocused = s.Pane.BorderForeground(c(p.Accent))
	if mono {
		s.PaneFocused = s.Pane.Border(lipgloss.ThickBorder())
	}
	s.PaneTitle = fg(p.Accent).Bold(true)

	s.ListSection = fg(p.Muted).Bold(true)
	s.ListItem = fg(p.Foreground)
	s.ListSelected = lipgloss.NewStyle().Foreground(c(p.SelectedForeground)).Background(c(p.SelectedBackground)).Bold(true)
	s.ListSelectedBlur = lipgloss.NewStyle().Foreground(c(p.Muted)).Background(c(p.SelectedBackground))
	if mono {
		s.ListSelected = s.ListSelected.Reverse(true)
		s.ListSelectedBlur = s.ListSelectedBlur.Underline(true)
	}
	s.ListMatch = fg(p.Match).Underline(true)
	s.ListHint = fg(p.Faint)
	s.ListSelectedHint = lipgloss.NewStyle().Foreground(c(p.Muted)).Background(c(p.SelectedBackground))
	if mono {
		s.ListSelectedHint = s.ListSelectedHint.Reverse(true)
	}
	s.ListEmpty = fg(p.Muted).Italic(true)

	s.FilterPrompt = fg(p.Accent).Bold(true)
	s.FilterText = fg(p.Foreground)

	s.DetailTitle = fg(p.Accent).Bold(true)
	s.DetailLabel = fg(p.Muted)
	s.DetailValue = fg(p.Foreground)
	s.Masked = fg(p.Muted)
	s.Revealed = fg(p.Warning).Bold(true)
	s.Code = fg(p.Secondary)
	s.ClaimKey = fg(p.Accent)

	s.Success = fg(p.Success).Bold(mono)
	s.Warning = fg(p.Warning).Bold(true)
	s.Error = fg(p.Error).Bold(true)
	s.Info = fg(p.Info)

	s.StatusInfo = fg(p.Info)
	s.StatusSuccess = fg(p.Success)
	s.StatusWarning = fg(p.Warning).Bold(true)
	s.StatusError = fg(p.Error).Bold(true)

	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.Accent)).Padding(1, 2)
	if mono {
		s.Dialog = s.Dialog.Border(lipgloss.DoubleBorder())
	}
	s.DialogTitle = fg(p.Accent).Bold(true).MarginBottom(1)
	s.ErrorPane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.Error)).Padding(1, 2)
	s.ErrorTitle = fg(p.Error).Bold(true)

	s.Button = lipgloss.NewStyle().Foreground(c(p.Foreground)).Background(c(p.SelectedBackground)).Padding(0, 2)
	s.ButtonActive = lipgloss.NewStyle().Foreground(c(p.SelectedForeground)).Background(c(p.Accent)).Padding(0, 2).Bold(true)
	s.ButtonDanger = s.ButtonActive.Background(c(p.Error))
	if mono {
		s.Button = lipgloss.NewStyle().Padding(0, 2).Underline(true)
		s.ButtonActive = lipgloss.NewStyle().Padding(0, 2).Reverse(true).Bold(true)
		s.ButtonDanger = s.ButtonActive.Underline(true)
	}

	s.UserCode = fg(p.Accent).Bold(true).Border(lipgloss.DoubleBorder()).BorderForeground(c(p.Accent)).Padding(0, 2)
	s.Spinner = fg(p.Accent)
	// The engine's QR codes print the light modules as blocks; white blocks
	// on black keep them readable by phones whatever the theme.
	s.QR = lipgloss.NewStyle().Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#000000"))

	s.Help = help.Styles{
		Ellipsis:       fg(p.Faint),
		ShortKey:       fg(p.Accent),
		ShortDesc:      fg(p.Muted),
		ShortSeparator: fg(p.Faint),
		FullKey:        fg(p.Accent),
		FullDesc:       fg(p.Muted),
		FullSeparator:  fg(p.Faint),
	}
	if mono {
		s.Help.ShortKey = s.Help.ShortKey.Bold(true)
		s.Help.FullKey = s.Help.FullKey.Bold(true)
	}
	return s
}

// Huh returns a form theme in the same colours, for huh forms. The styles
// are built once per Styles and shared: huh only reads them.
func (s *Styles) Huh() huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles {
		s.huhOnce.Do(func() { s.huh = s.huhStyles() })
		return s.huh
	})
}

func (s *Styles) huhStyles() *huh.Styles {
	p := s.Palette
	c := lipgloss.Color
	t := huh.ThemeBase(s.IsDark)
	mono := s.Theme.Monochrome

	t.Focused.Base = t.Focused.Base.BorderForeground(c(p.Accent))
	t.Focused.Card = t.Focused.Base
	t.Focused.Title = s.Accent
	t.Focused.NoteTitle = s.Accent.MarginBottom(1)
	t.Focused.Description = s.Muted
	t.Focused.ErrorIndicator = s.Error.SetString(" *")
	t.Focused.ErrorMessage = s.Error
	t.Focused.SelectSelector = lipgloss.NewStyle().Foreground(c(p.Accent)).SetString("> ")
	t.Focused.NextIndicator = lipgloss.NewStyle().Foreground(c(p.Accent)).MarginLeft(1).SetString("→")
	t.Focused.PrevIndicator = lipgloss.NewStyle().Foreground(c(p.Accent)).MarginRight(1).SetString("←")
	t.Focused.Option = s.Text
	t.Focused.MultiSelectSelector = lipgloss.NewStyle().Foreground(c(p.Accent)).SetString("> ")
	t.Focused.SelectedOption = lipgloss.NewStyle().Foreground(c(p.Success))
	t.Focused.SelectedPrefix = lipgloss.NewStyle().Foreground(c(p.Success)).SetString("[x] ")
	t.Focused.UnselectedPrefix = s.Faint.SetString("[ ] ")
	t.Focused.UnselectedOption = s.Text
	t.Focused.FocusedButton = s.ButtonActive.MarginRight(1)
	t.Focused.BlurredButton = s.Button.MarginRight(1)
	t.Focused.Next = t.Focused.FocusedButton
	t.Focused.TextInput.Cursor = lipgloss.NewStyle().Foreground(c(p.Accent))
	t.Focused.TextInput.Placeholder = s.Faint
	t.Focused.TextInput.Prompt = lipgloss.NewStyle().Foreground(c(p.Accent))
	t.Focused.TextInput.Text = s.Text
	if mono {
		t.Focused.SelectedOption = t.Focused.SelectedOption.Bold(true)
	}

	t.Blurred = t.Focused
	t.Blurred.Base = t.Focused.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.Title = s.Muted.Bold(true)
	t.Blurred.NextIndicator = lipgloss.NewStyle()
	t.Blurred.PrevIndicator = lipgloss.NewStyle()
	t.Blurred.TextInput.Prompt = s.Faint

	t.Group.Title = s.Accent
	t.Group.Description = s.Muted
	t.Help = s.Help
	return t
}

// TextInput returns text input styles in the theme's colours. The cursor does
// not blink: a blinking cursor would keep the program ticking while idle.
func (s *Styles) TextInput() textinput.Styles {
	st := textinput.DefaultStyles(s.IsDark)
	st.Focused.Prompt = s.FilterPrompt
	st.Focused.Text = s.FilterText
	st.Focused.Placeholder = s.Faint
	st.Blurred.Prompt = s.Muted
	st.Blurred.Text = s.Muted
	st.Blurred.Placeholder = s.Faint
	st.Cursor.Blink = false
	st.Cursor.Color = lipgloss.Color(s.Palette.Accent)
	return st
}
