package playground

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// deviceEntry is a pending or finished device authorization (RFC 8628).
type deviceEntry struct {
	userCode string
	state    op.DeviceAuthorizationState
	lastPoll time.Time
	consumed bool
}

// normalizeUserCode makes user code entry forgiving about case, spaces and dashes.
func normalizeUserCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// StoreDeviceAuthorization implements op.DeviceAuthorizationStorage. op does
// not validate the requested scopes here, so those the client may not have
// are dropped, as op does for authorization requests.
func (s *storage) StoreDeviceAuthorization(_ context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	c := s.client(clientID)
	if c == nil {
		return errors.New("client not found")
	}
	granted := slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return !slices.Contains(c.info.Scopes, sc) })
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(now)
	norm := normalizeUserCode(userCode)
	if _, dup := s.userCodes[norm]; dup {
		return op.ErrDuplicateUserCode
	}
	s.devices[deviceCode] = &deviceEntry{
		userCode: userCode,
		lastPoll: now,
		state: op.DeviceAuthorizationState{
			ClientID: clientID,
			Audience: []string{clientID, s.audience},
			Scopes:   granted,
			Expires:  expires,
		},
	}
	s.userCodes[norm] = deviceCode
	return nil
}

// errPollTooFast makes op answer slow_down: op maps a deadline error from
// GetDeviceAuthorizatonState to slow_down (RFC 8628 §3.5).
var errPollTooFast = fmt.Errorf("device token polled faster than the interval: %w", context.DeadlineExceeded)

// GetDeviceAuthorizatonState implements op.DeviceAuthorizationStorage. A
// device code yields tokens once; afterwards it reads as expired.
func (s *storage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.devices[deviceCode]
	if !ok || e.state.ClientID != clientID {
		return nil, errors.New("device code not found for this client")
	}
	if e.consumed {
		return &op.DeviceAuthorizationState{ClientID: clientID, Expires: now.Add(-time.Second)}, nil
	}
	pending := !e.state.Done && !e.state.Denied && now.Before(e.state.Expires)
	// Polls a little early are tolerated: clients measure the interval
	// from when they sent the previous poll, the server from its arrival.
	tooFast := pending && now.Sub(e.lastPoll) < s.lt.pollInterval*3/4
	e.lastPoll = now
	if tooFast {
		return nil, errPollTooFast
	}
	st := e.state
	st.Scopes = slices.Clone(e.state.Scopes)
	st.Audience = slices.Clone(e.state.Audience)
	st.AMR = slices.Clone(e.state.AMR)
	if st.Done {
		e.consumed = true
	}
	return &st, nil
}

// deviceInfo is what the verification page shows about a pending device.
type deviceInfo struct {
	clientID string
	scopes   []string
}

var errUnknownUserCode = errors.New("unknown, used or expired code")

func (s *storage) pendingDevice(userCode string) (deviceInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.pendingDeviceLocked(userCode)
	if err != nil {
		return deviceInfo{}, err
	}
	return deviceInfo{clientID: e.state.ClientID, scopes: slices.Clone(e.state.Scopes)}, nil
}

func (s *storage) pendingDeviceLocked(userCode string) (*deviceEntry, error) {
	e, ok := s.devices[s.userCodes[normalizeUserCode(userCode)]]
	if !ok || e.state.Done || e.state.Denied || e.consumed || !time.Now().Before(e.state.Expires) {
		return nil, errUnknownUserCode
	}
	return e, nil
}

// finishDevice approves (subject set) or denies a pending device authorization.
func (s *storage) finishDevice(userCode string, approve bool, subject string, authTime time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.pendingDeviceLocked(userCode)
	if err != nil {
		return err
	}
	if approve {
		e.state.Done, e.state.Subject, e.state.AuthTime, e.state.AMR = true, subject, authTime, []string{"pwd"}
	} else {
		e.state.Denied = true
	}
	return nil
}

// device serves the verification URI: code entry, then login (unless the
// browser has a session), then consent.
func (ui *loginUI) device(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	code := strings.TrimSpace(r.FormValue("user_code"))
	if r.Method == http.MethodGet && code == "" {
		render(w, http.StatusOK, "usercode", userCodeView{Action: pathDevice})
		return
	}
	info, err := ui.st.pendingDevice(code)
	if err != nil {
		render(w, http.StatusOK, "usercode", userCodeView{
			Action: pathDevice, UserCode: code,
			Error: "That code is unknown, already used or expired. Check the code on your device.",
		})
		return
	}
	c := ui.st.client(info.clientID)
	if c == nil {
		renderResult(w, http.StatusBadRequest, "Unknown application", "error", "The device's application is no longer registered.")
		return
	}
	s := ui.ss.current(r)
	purpose := "device:" + normalizeUserCode(code)

	switch r.PostFormValue("step") {
	case "login":
		username := r.PostFormValue("username")
		u, ok := ui.st.checkUser(username, r.PostFormValue("password"))
		if !ok {
			ui.renderDeviceLogin(w, code, c, username, "Wrong username or password.")
			return
		}
		s = ui.ss.create(w, r, u)
	case "consent":
		if s == nil {
			ui.renderDeviceLogin(w, code, c, "", "")
			return
		}
		if !ui.ss.checkCSRF(s.id, purpose, r.PostFormValue("csrf")) {
			renderResult(w, http.StatusForbidden, "Answer not accepted", "error",
				"The form expired or came from another session. Enter the code again.")
			return
		}
		approve := r.PostFormValue("action") == "allow"
		if !approve && r.PostFormValue("action") != "deny" {
			renderResult(w, http.StatusBadRequest, "Unknown answer", "error", "Choose Allow or Deny.")
			return
		}
		if err := ui.st.finishDevice(code, approve, s.userID, s.authTime); err != nil {
			renderResult(w, http.StatusBadRequest, "Code expired", "error", "The code expired or was already used.")
			return
		}
		if approve {
			ui.ss.grant(s.id, c.info.ClientID, info.scopes)
			renderResult(w, http.StatusOK, "Device connected", "approved",
				"You can close this window and return to your device.")
		} else {
			renderResult(w, http.StatusOK, "Access denied", "denied",
				"The device was not given access. You can close this window.")
		}
		return
	default:
		if s == nil {
			ui.renderDeviceLogin(w, code, c, "", "")
			return
		}
	}
	render(w, http.StatusOK, "consent", consentView{
		Action:     pathDevice,
		Hidden:     []field{{"step", "consent"}, {"user_code", code}, {"csrf", ui.ss.csrf(s.id, purpose)}},
		ClientName: clientName(c),
		ClientID:   c.info.ClientID,
		User:       s.username,
		Scopes:     scopeViews(info.scopes),
	})
}

func (ui *loginUI) renderDeviceLogin(w http.ResponseWriter, code string, c *client, username, errText string) {
	render(w, http.StatusOK, "login", loginView{
		Action:     pathDevice,
		Hidden:     []field{{"step", "login"}, {"user_code", code}},
		ClientName: clientName(c),
		Username:   username,
		Error:      errText,
	})
}
