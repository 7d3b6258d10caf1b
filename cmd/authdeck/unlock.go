package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/agent"
	"github.com/authdeck/authdeck/vault/local"
)

// agentReadyTimeout bounds the wait for a new agent to listen.
const agentReadyTimeout = 10 * time.Second

// agentStart is what `authdeck unlock` hands the agent process on its
// standard input (never in its arguments or environment).
type agentStart struct {
	Socket   string    `json:"socket"`
	Identity string    `json:"identity"`
	Sum      string    `json:"sum"`
	Deadline time.Time `json:"deadline"`
}

// workspaceHome returns $AUTHDECK_HOME, else the default home directory.
func (a *App) workspaceHome() (string, error) {
	if h := a.Getenv("AUTHDECK_HOME"); h != "" {
		return h, nil
	}
	return local.DefaultHome()
}

// agentSocket returns the socket of the workspace's unlock agent.
func (a *App) agentSocket() (string, error) {
	home, err := a.workspaceHome()
	if err != nil {
		return "", err
	}
	return agent.SocketPath(a.Getenv, home)
}

// agentClient asks the workspace's unlock agent for the file vault's
// identity. An agent that does not run, or a platform without one, is no
// agent; a socket that is not the user's alone is said on stderr and not
// used.
type agentClient struct {
	a    *App
	path string
}

func (c agentClient) Identity(sum [32]byte) *age.X25519Identity {
	id, err := agent.Identity(c.path, sum)
	if err != nil {
		if !errors.Is(err, agent.ErrNoAgent) && !errors.Is(err, agent.ErrUnsupported) {
			fmt.Fprintf(c.a.IO.Err, "authdeck: warning: not using the unlock agent: %v\n", err)
		}
		return nil
	}
	return id
}

// unlockAgent returns the file vault's agent client, or nil when there is
// no place for an agent's socket.
func (a *App) unlockAgent() vault.KeyAgent {
	path, err := a.agentSocket()
	if err != nil {
		return nil
	}
	return agentClient{a: a, path: path}
}

// unlockOptions are the inputs of `unlock`.
type unlockOptions struct {
	App *App
	IO  IOStreams
	// For is how long the vault stays unlocked.
	For time.Duration
}

func newUnlockCmd(a *App) *cobra.Command {
	opts := &unlockOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Keep the file vault unlocked for a while, so commands ask for no passphrase",
		Long: `Unwrap the file vault's identity once (with $AUTHDECK_PASSPHRASE or a prompt)
and keep it in the memory of a small agent process for --for (15m by default,
at most 24h). Until then, authdeck commands on this workspace take the
identity from the agent: no passphrase and no key derivation, so a script
calling 'authdeck token' in a loop pays for neither. 'authdeck lock' ends the
agent at once; it also ends at its deadline.

The agent listens on a socket in $XDG_RUNTIME_DIR/authdeck (0600, in a 0700
directory) and answers only processes of your user; authdeck uses no socket
that another user owns or others may open. Nothing is written to disk. A new
unlock replaces a running agent; a changed passphrase (authdeck vault passwd)
makes the next command ask for it again.

Only for the file vault (AUTHDECK_VAULT=file); the keychain is unlocked with
your desktop session.`,
		Example: "  authdeck unlock --for 30m\n  for i in $(seq 100); do curl -H \"$(authdeck token api -f header)\" …; done\n  authdeck lock",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runUnlock(cmd.Context(), opts) },
	}
	cmd.Flags().DurationVar(&opts.For, "for", 15*time.Minute, "how long the vault stays unlocked (at most 24h)")
	return cmd
}

// runUnlock unwraps the file vault's identity and hands it to a new agent
// that holds it until the deadline.
func runUnlock(ctx context.Context, opts *unlockOptions) error {
	a, dur := opts.App, opts.For
	if dur <= 0 || dur > agent.MaxDuration {
		return exitWith(exitOther, "--for %s is not between 1s and %s", dur, agent.MaxDuration)
	}
	if b := a.Getenv("AUTHDECK_VAULT"); b != vault.BackendFile {
		return exitWith(exitNotConfigured, "unlock is for the file vault (AUTHDECK_VAULT=file); the keychain is unlocked with your desktop session")
	}
	home, err := a.workspaceHome()
	if err != nil {
		return err
	}
	path, err := agent.SocketPath(a.Getenv, home)
	if err != nil {
		return exitWith(exitNotConfigured, "%v", err)
	}
	id, sum, err := a.unwrapFileIdentity(ctx, home)
	if err != nil {
		return err
	}
	if _, err := agent.Lock(path); err != nil {
		return fmt.Errorf("ending the running agent: %w", err)
	}
	deadline := a.Now().Add(dur).Truncate(time.Second)
	if err := startAgent(agentStart{Socket: path, Identity: id.String(), Sum: hex.EncodeToString(sum[:]), Deadline: deadline}); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Unlocked the file vault in %s until %s (%s); 'authdeck lock' locks it now.\n",
		home, deadline.Local().Format("15:04:05"), dur)
	return nil
}

// unwrapFileIdentity opens the identity of the file vault in home with its
// passphrase.
func (a *App) unwrapFileIdentity(ctx context.Context, home string) (*age.X25519Identity, [32]byte, error) {
	wf, err := testScryptWorkFactor(a.Getenv)
	if err != nil {
		return nil, [32]byte{}, err
	}
	store, err := vault.NewFileStore(vault.FileOptions{Dir: home, WorkFactor: wf, Passphrase: a.passphrase})
	if err != nil {
		return nil, [32]byte{}, err
	}
	id, sum, err := store.UnwrapIdentity(ctx)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, sum, exitWith(exitNotConfigured, "there is no file vault identity in %s yet: it is written with the first value stored with AUTHDECK_VAULT=file", home)
	}
	return id, sum, err
}

// startAgent starts `authdeck agent` in a session of its own, hands it the
// identity on its standard input and waits until it listens.
func startAgent(start agentStart) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the authdeck binary to run the agent: %w", err)
	}
	c := exec.Command(exe, "agent") //nolint:gosec // G204: this very binary, with a fixed argument
	c.Dir = "/"
	// The agent needs no secret from the environment: the identity comes on
	// stdin, and the passphrase is not passed on.
	c.Env = vault.ChildEnv(os.Environ())
	c.SysProcAttr = detachedProcAttr()
	in, err := c.StdinPipe()
	if err != nil {
		return err
	}
	out, err := c.StdoutPipe()
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("starting the agent: %w", err)
	}
	msg, _ := json.Marshal(start)
	_, werr := in.Write(append(msg, '\n'))
	_ = in.Close()
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(io.LimitReader(out, 4096)).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	select {
	case line := <-ready:
		if werr == nil && line == "ready" {
			return c.Process.Release()
		}
		_ = c.Process.Kill()
		_ = c.Wait()
		if line == "" {
			line = "it exited without a word"
		}
		return fmt.Errorf("the agent did not start: %s", line)
	case <-time.After(agentReadyTimeout):
		_ = c.Process.Kill()
		_ = c.Wait()
		return fmt.Errorf("the agent did not start within %s", agentReadyTimeout)
	}
}

// lockOptions are the inputs of `lock`.
type lockOptions struct {
	App *App
	IO  IOStreams
}

func newLockCmd(a *App) *cobra.Command {
	opts := &lockOptions{App: a, IO: a.IO}
	return &cobra.Command{
		Use:   "lock",
		Short: "End the agent started by 'authdeck unlock': the file vault asks for its passphrase again",
		Long: `End the agent 'authdeck unlock' started for this workspace: it drops the
file vault's identity and exits, and the next command asks for the
passphrase again. Nothing happens when no agent runs.`,
		Example: "  authdeck lock",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runLock(cmd.Context(), opts) },
	}
}

// runLock ends the workspace's unlock agent, if one runs.
func runLock(_ context.Context, opts *lockOptions) error {
	path, err := opts.App.agentSocket()
	if err != nil {
		return exitWith(exitNotConfigured, "%v", err)
	}
	ran, err := agent.Lock(path)
	if err != nil {
		return err
	}
	if !ran {
		fmt.Fprintln(opts.IO.Out, "No unlock agent was running; the file vault is locked.")
		return nil
	}
	fmt.Fprintln(opts.IO.Out, "Locked: the unlock agent dropped the vault's identity and exited.")
	return nil
}

// newAgentCmd is the agent process `authdeck unlock` starts: it reads what
// to hold from stdin, says "ready" on stdout once it listens, and serves
// until its deadline or `authdeck lock`.
func newAgentCmd(a *App) *cobra.Command {
	opts := &agentOptions{IO: a.IO}
	return &cobra.Command{
		Use:    "agent",
		Short:  "The unlock agent (started by 'authdeck unlock')",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE:   func(cmd *cobra.Command, _ []string) error { return runAgent(cmd.Context(), opts) },
	}
}

// agentOptions are the inputs of the agent process: what to hold comes on
// In, "ready" or why not goes to Out.
type agentOptions struct {
	IO IOStreams
}

// runAgent reads what to hold, listens, says "ready" (or, instead, why it
// cannot) and serves until its deadline, `authdeck lock` or ctx's end.
func runAgent(ctx context.Context, opts *agentOptions) error {
	say := func(format string, args ...any) error {
		fmt.Fprintf(opts.IO.Out, format+"\n", args...)
		if f, ok := opts.IO.Out.(*os.File); ok {
			_ = f.Close()
		}
		return nil
	}
	start, id, sum, err := readAgentStart(opts.IO.In)
	if err != nil {
		return say("%s", err)
	}
	srv, err := agent.Listen(start.Socket, id, sum, start.Deadline)
	if err != nil {
		return say("%v", err)
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	_ = say("ready")
	return srv.Serve()
}

// readAgentStart reads and checks what `authdeck unlock` hands the agent:
// the identity, its file's checksum and a deadline within the maximum.
func readAgentStart(in io.Reader) (agentStart, *age.X25519Identity, [32]byte, error) {
	var start agentStart
	var sum [32]byte
	line, err := bufio.NewReader(io.LimitReader(in, 16<<10)).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &start)
	}
	if err != nil {
		return start, nil, sum, fmt.Errorf("reading what to hold: %v", err)
	}
	id, err := age.ParseX25519Identity(start.Identity)
	if err != nil {
		return start, nil, sum, errors.New("the identity does not parse")
	}
	b, err := hex.DecodeString(start.Sum)
	if err != nil || len(b) != len(sum) {
		return start, nil, sum, errors.New("the identity file's checksum does not parse")
	}
	copy(sum[:], b)
	if time.Until(start.Deadline) <= 0 || time.Until(start.Deadline) > agent.MaxDuration+time.Minute {
		return start, nil, sum, fmt.Errorf("the deadline %s is not within %s", start.Deadline, agent.MaxDuration)
	}
	return start, id, sum, nil
}
