package playground

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// adminAPI lets scripts register clients over HTTP, as an identity service's
// admin API does: the secret is generated server-side and returned once.
type adminAPI struct{ s *Server }

const pathAdminClients = "/admin/clients"

func (a *adminAPI) register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+pathAdminClients, a.authorized(a.create))
	mux.HandleFunc("GET "+pathAdminClients, a.authorized(a.list))
}

func (a *adminAPI) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(token), []byte(a.s.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="authdeck-playground-admin"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "invalid_token", Description: "the admin token printed by `authdeck demo --serve` is required"})
			return
		}
		h(w, r)
	}
}

// adminClientRequest is the JSON body of POST /admin/clients.
type adminClientRequest struct {
	ClientSpec
	AccessTokenLifetimeSeconds int `json:"access_token_lifetime_seconds,omitempty"`
}

// adminClient is ClientInfo on the wire.
type adminClient struct {
	ClientInfo
	AccessTokenLifetimeSeconds int `json:"access_token_lifetime_seconds,omitempty"`
}

func toAdminClient(c ClientInfo) adminClient {
	return adminClient{ClientInfo: c, AccessTokenLifetimeSeconds: int(c.AccessTokenLifetime / time.Second)}
}

func (a *adminAPI) create(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	var req adminClientRequest
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "body must be a JSON client spec: " + err.Error()})
		return
	}
	if req.AccessTokenLifetimeSeconds < 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "access_token_lifetime_seconds must not be negative"})
		return
	}
	req.AccessTokenLifetime = time.Duration(req.AccessTokenLifetimeSeconds) * time.Second
	info, secret, err := a.s.CreateClient(req.ClientSpec)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, errInvalidSpec) {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, apiError{Error: "invalid_client_metadata", Description: err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Client       adminClient `json:"client"`
		ClientSecret string      `json:"client_secret,omitempty"`
	}{toAdminClient(info), secret})
}

func (a *adminAPI) list(w http.ResponseWriter, _ *http.Request) {
	infos := a.s.ListClients()
	out := make([]adminClient, len(infos))
	for i, c := range infos {
		out[i] = toAdminClient(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
}
