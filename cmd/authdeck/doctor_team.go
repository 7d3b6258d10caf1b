package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// checkTeamWorkspace reports on the team workspace: where it is, whether
// this person is in its team, what they still have to set (when the vault
// works: it asks the store for each value), and credentials found in the
// folder.
func (a *App) checkTeamWorkspace(ctx context.Context, v *vault.Vault, ws *workspace.Workspace, storeOK bool) []doctorCheck {
	c, err := v.Load()
	if err != nil {
		return []doctorCheck{{Name: "workspace", Status: statusFail, Detail: err.Error(), Hint: "fix the file it names (the folder is left untouched), or take it from git again"}}
	}
	out := []doctorCheck{a.workspaceCheck(ws, c), teamCheck(ws, c)}
	if storeOK {
		out = append(out, valuesChecks(ctx, v)...)
	}
	return append(out, folderCheck(ws))
}

// workspaceCheck says where the team workspace is and what it holds.
func (a *App) workspaceCheck(ws *workspace.Workspace, c *vault.Catalog) doctorCheck {
	wc := doctorCheck{Name: "workspace", Status: statusInfo}
	active, err := a.Env(c)
	if err != nil {
		wc.Status, wc.Hint = statusWarn, "pick an environment with 'authdeck env use NAME'"
	}
	wc.Detail = fmt.Sprintf("team workspace %q in %s: %d environments (active: %s), %d auth clients, %d secrets, %d requests",
		ws.Meta().Name, ws.Root(), len(c.Environments), active, len(c.Clients), len(c.Secrets), len(c.Requests))
	return wc
}

// teamCheck says who is in the team, whether this person is (one of their
// keys is a member's), and whether shared values are encrypted to the
// whole team.
func teamCheck(ws *workspace.Workspace, c *vault.Catalog) doctorCheck {
	members, err := ws.Members()
	tc := doctorCheck{Name: "team", Status: statusOK}
	ids, idErr := ws.Identities()
	names, me := memberNames(members, ids)
	shared, behind := sharedCounts(c, names)
	switch {
	case err != nil:
		tc.Status, tc.Detail = statusFail, err.Error()
	case idErr != nil:
		tc.Status, tc.Detail, tc.Hint = statusWarn, idErr.Error(), "fix AUTHDECK_IDENTITY or the key it names"
	case me == "" && len(members) > 0:
		tc.Status = statusWarn
		tc.Detail = fmt.Sprintf("%d members (%s); none of your keys is among them, so the %d shared values do not open for you", len(members), strings.Join(names, ", "), shared)
		tc.Hint = "give a teammate your public key ('authdeck team whoami' shows it) to run 'authdeck team add'"
	case len(members) == 0:
		tc.Status, tc.Detail, tc.Hint = statusInfo, "no members yet: nothing can be shared", "join with 'authdeck team add ~/.ssh/id_ed25519.pub'"
	default:
		tc.Detail = fmt.Sprintf("%d members (%s); you are %q; %d shared values", len(members), strings.Join(names, ", "), me, shared)
	}
	if behind > 0 && tc.Status == statusOK {
		tc.Status, tc.Hint = statusWarn, fmt.Sprintf("%d shared values are not encrypted to the whole team: run 'authdeck team sync'", behind)
	}
	return tc
}

// memberNames returns the members' names, sorted, and the name of the
// member one of ids is ("" when none is).
func memberNames(members []workspace.Member, ids []workspace.Identity) (names []string, me string) {
	for _, m := range members {
		names = append(names, m.Name)
		for _, id := range ids {
			if x, perr := workspace.ParseRecipient(id.Recipient); perr == nil && x.Fingerprint == m.Fingerprint {
				me = m.Name
			}
		}
	}
	slices.Sort(names)
	return names, me
}

// sharedCounts counts the shared clients and secrets, and those not
// encrypted to exactly the team (names, sorted).
func sharedCounts(c *vault.Catalog, names []string) (shared, behind int) {
	count := func(isShared bool, with []string) {
		if !isShared {
			return
		}
		shared++
		if !slices.Equal(with, names) {
			behind++
		}
	}
	for _, x := range c.Clients {
		count(x.Shared, x.SharedWith)
	}
	for _, x := range c.Secrets {
		count(x.Shared, x.SharedWith)
	}
	return shared, behind
}

// valuesChecks lists the values this person still has to set.
func valuesChecks(ctx context.Context, v *vault.Vault) []doctorCheck {
	missing, err := workspace.Missing(ctx, v)
	switch {
	case err != nil:
		return []doctorCheck{{Name: "values", Status: statusFail, Detail: err.Error()}}
	case len(missing) == 0:
		return []doctorCheck{{Name: "values", Status: statusOK, Detail: "every value the workspace needs is set for you"}}
	}
	out := []doctorCheck{{
		Name: "values", Status: statusWarn,
		Detail: fmt.Sprintf("%d %s you still have to set (each person keeps their own):", len(missing), pick(len(missing), "value", "values")),
	}}
	for _, m := range missing {
		what := fmt.Sprintf("%s %s (%s)", m.Kind, m.Name, m.Env)
		switch {
		case m.Shared && m.Reason != "":
			what += ", shared but it does not open for you: " + sanitizeLine(m.Reason)
		case m.Shared:
			what += ", shared but not with your key"
		}
		out = append(out, doctorCheck{Name: "", Status: statusWarn, Detail: what, Hint: m.Hint})
	}
	return out
}

// folderCheck says whether credentials lie in the workspace folder.
func folderCheck(ws *workspace.Workspace) doctorCheck {
	findings, err := workspace.Check(ws.Root())
	cc := doctorCheck{Name: "check", Status: statusOK, Detail: "no credential in the workspace folder"}
	switch {
	case err != nil:
		cc.Status, cc.Detail = statusFail, err.Error()
	case len(findings) > 0:
		cc.Status = statusWarn
		cc.Detail = fmt.Sprintf("%d %s in the workspace folder, e.g. %s", len(findings), pick(len(findings), "finding", "findings"), sanitizeLine(findings[0].String()))
		cc.Hint = "run 'authdeck check' for all of them; move each value into the vault before committing"
	}
	return cc
}
