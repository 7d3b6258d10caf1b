package ui

import (
	"errors"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// PassphraseAsker asks for the file vault's passphrase in a dialog of the
// running TUI. The file store asks for it lazily, from the command that
// first needs a value; while the TUI owns the terminal nothing may read it
// (or write a prompt to stderr), so the store's passphrase callback calls
// Ask, which hands the question to the program and waits for the answer.
type PassphraseAsker struct {
	mu   sync.Mutex
	send func(tea.Msg)
	done <-chan struct{}
}

// NewPassphraseAsker returns an asker not yet attached to a program.
func NewPassphraseAsker() *PassphraseAsker { return &PassphraseAsker{} }

// Attach connects the asker to a running program: send delivers a message
// to it (tea.Program.Send) and done is closed when it has stopped.
func (a *PassphraseAsker) Attach(send func(tea.Msg), done <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.send, a.done = send, done
}

// Ask shows the passphrase dialog and waits for the answer. isNew says no
// vault exists yet: the passphrase chosen is then typed twice, since a
// mistyped one would lock the vault for good.
func (a *PassphraseAsker) Ask(isNew bool) (string, error) {
	r := a.ask(errors.New("the file vault's passphrase cannot be asked for: the terminal interface is not running"),
		func(reply chan<- passphraseReply) tea.Msg { return passphraseAskMsg{isNew: isNew, reply: reply} })
	return r.pass, r.err
}

// ask sends the message that opens a passphrase dialog and waits for its
// answer, or for the TUI to stop; the store call waiting for the answer
// does not time out meanwhile. notRunning is the answer when no TUI runs.
func (a *PassphraseAsker) ask(notRunning error, open func(reply chan<- passphraseReply) tea.Msg) passphraseReply {
	a.mu.Lock()
	send, done := a.send, a.done
	a.mu.Unlock()
	if send == nil {
		return passphraseReply{err: notRunning}
	}
	release := common.HoldStoreDeadlines()
	defer release()
	reply := make(chan passphraseReply, 1)
	send(open(reply))
	select {
	case r := <-reply:
		return r
	case <-done:
		return passphraseReply{err: common.ErrNoPassphrase}
	}
}

// AskKey asks in a dialog for the passphrase of the private key at path (a
// passphrase-protected SSH key that opens a team workspace's shared
// values) and waits for the answer; it is the workspace's identity
// passphrase callback while the TUI owns the terminal. esc answers a
// vault.ErrMissingInput.
func (a *PassphraseAsker) AskKey(path string) ([]byte, error) {
	r := a.ask(fmt.Errorf("the passphrase of the key %s cannot be asked for: the terminal interface is not running", path),
		func(reply chan<- passphraseReply) tea.Msg { return keyPassphraseAskMsg{path: path, reply: reply} })
	if r.err != nil {
		return nil, r.err
	}
	return []byte(r.pass), nil
}

type (
	// keyPassphraseAskMsg asks the model to open the key passphrase dialog.
	keyPassphraseAskMsg struct {
		path  string
		reply chan<- passphraseReply
	}
	// passphraseAskMsg asks the model to open the passphrase dialog.
	passphraseAskMsg struct {
		isNew bool
		reply chan<- passphraseReply
	}
	passphraseReply struct {
		pass string
		err  error
	}
)

// askKeyPassphrase opens the dialog for a key's passphrase: one masked
// field; esc answers "no passphrase" and the shared value stays closed.
func (m *Model) askKeyPassphrase(msg keyPassphraseAskMsg) tea.Cmd {
	answer := func(r passphraseReply) tea.Cmd {
		return func() tea.Msg {
			msg.reply <- r
			return nil
		}
	}
	// the path is the person's own, but it reaches the terminal escaped (S-40)
	path := termsafe.Line(msg.path)
	return m.openDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title:  "Passphrase of your key",
		Body:   "A value the team shares in this workspace is encrypted to your key " + path + ", which is protected by a passphrase. esc cancels; the value stays closed.",
		Secret: true,
		Validate: func(v string) error {
			if v == "" {
				return errors.New("the passphrase is empty")
			}
			return nil
		},
		OnSubmit: func(p string) tea.Cmd { return answer(passphraseReply{pass: p}) },
		OnCancel: func() tea.Cmd {
			return answer(passphraseReply{err: fmt.Errorf("%w: no passphrase was given for the key %s; the shared value stays closed", vault.ErrMissingInput, path)})
		},
	}))
}

// askPassphrase opens the dialog for msg: one masked field for an existing
// vault, two for a new one (they must match). esc answers "no passphrase".
func (m *Model) askPassphrase(msg passphraseAskMsg) tea.Cmd {
	answer := func(r passphraseReply) tea.Cmd {
		return func() tea.Msg {
			msg.reply <- r
			return nil
		}
	}
	cancel := func() tea.Cmd { return answer(passphraseReply{err: common.ErrNoPassphrase}) }
	nonEmpty := func(v string) error {
		if v == "" {
			return errors.New("the passphrase is empty")
		}
		return nil
	}
	where := m.opts.Home
	if where == "" {
		where = "the authdeck home"
	}
	if !msg.isNew {
		return m.openDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
			Title:    "Passphrase of the file vault",
			Body:     "The encrypted file vault in " + where + " needs its passphrase to go on (set AUTHDECK_PASSPHRASE to skip this). esc cancels; nothing is read or written.",
			Secret:   true,
			Validate: nonEmpty,
			OnSubmit: func(p string) tea.Cmd { return answer(passphraseReply{pass: p}) },
			OnCancel: cancel,
		}))
	}
	return m.openDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title:    "Choose a passphrase for the new file vault",
		Body:     "Values will be kept encrypted in " + where + ". Without this passphrase nobody can read them, so keep it somewhere safe. esc cancels; nothing is written.",
		Secret:   true,
		Validate: nonEmpty,
		OnSubmit: func(first string) tea.Cmd {
			return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
				Title:  "Type the new passphrase again",
				Body:   "The same passphrase, to be sure it was typed as meant.",
				Secret: true,
				Validate: func(v string) error {
					if v != first {
						return errors.New("the two passphrases differ: type the first one again, or esc to cancel")
					}
					return nil
				},
				OnSubmit: func(string) tea.Cmd { return answer(passphraseReply{pass: first}) },
				OnCancel: cancel,
			}))
		},
		OnCancel: cancel,
	}))
}
