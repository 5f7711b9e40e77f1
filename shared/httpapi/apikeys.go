package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// WSTicketTTL is how long a WebSocket ticket may wait for its handshake.
const WSTicketTTL = 30 * time.Second

type keyKey struct{}

// actingKey is the key requireRole let through.
func actingKey(ctx context.Context) (auth.Key, bool) {
	k, ok := ctx.Value(keyKey{}).(auth.Key)
	return k, ok
}

// keyView is a key as the API shows it: never its secret nor its hash.
type keyView struct {
	ID         int64      `json:"id"`
	PublicID   string     `json:"public_id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func viewKey(k auth.Key) keyView {
	return keyView{k.ID, k.PublicID, k.Name, string(k.Role), k.Prefix, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt}
}

type createKeyRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// ExpiresAt is RFC 3339 and in the future; absent, the key lasts
	// until it is revoked.
	ExpiresAt *string `json:"expires_at"`
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var req createKeyRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > 200 {
		v.Add("name", "is required, at most 200 characters")
	}
	if !auth.ValidRole(req.Role) {
		v.Add("role", "must be staff, admin or finance")
	}
	var expires *time.Time
	if req.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *req.ExpiresAt)
		switch {
		case err != nil:
			v.Add("expires_at", "must be a time in RFC 3339, such as 2027-01-31T18:00:00Z")
		case !t.After(time.Now()):
			v.Add("expires_at", "must be in the future")
		default:
			expires = &t
		}
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	token, _ := auth.NewAPIKey(auth.Role(req.Role))
	k, err := s.keys.CreateAPIKeyBy(r.Context(), actor(r), req.Name, auth.Role(req.Role), token, expires)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, struct {
		Key    keyView `json:"api_key"`
		Secret string  `json:"secret"`
	}{viewKey(k), token})
}

// listAPIKeys lists every key, revoked and expired ones too, with no
// secret: what an admin needs to find the key to revoke.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		s.fail(w, r, err)
		return
	}
	keys, err := s.keys.APIKeys(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Keys []keyView `json:"api_keys"`
	}{Keys: []keyView{}}
	for _, k := range keys {
		out.Keys = append(out.Keys, viewKey(k))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// revokeAPIKey revokes a key from this request on; it is refused at once
// (the key is checked at every request) and its WebSocket sessions stop
// within a minute (shared/realtime).
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeProblem(w, notFound("No API key has this id; ids are the numbers GET /v1/admin/api-keys lists."))
		return
	}
	if err := s.keys.RevokeAPIKeyBy(r.Context(), actor(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createWSTicket gives a staff or admin key a ticket for one WebSocket
// handshake within WSTicketTTL (?ticket=…), so the key itself never
// travels in a URL, where proxies and logs keep it.
func (s *Server) createWSTicket(w http.ResponseWriter, r *http.Request) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	k, ok := actingKey(r.Context())
	if !ok {
		writeProblem(w, problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", "Send a staff API key as Authorization: Bearer <key>."))
		return
	}
	ticket, _ := auth.NewToken("wst_")
	expires, err := s.keys.CreateWSTicket(r.Context(), k.ID, ticket, WSTicketTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, struct {
		Ticket    string    `json:"ticket"`
		ExpiresAt time.Time `json:"expires_at"`
	}{ticket, expires.UTC()})
}
