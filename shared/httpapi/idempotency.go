package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/cache"
)

// The Idempotency-Key header, after draft-ietf-httpapi-idempotency-key-header:
//   - no key on a write: 400;
//   - a key with a stored outcome and the same request: the stored response
//     again, with Idempotent-Replayed: true;
//   - a key with a stored outcome and another request: 422;
//   - a key whose first request is still running: 409.
// Keys are scoped per client (see scopeOf) and kept for booking.ReceiptTTL.
// The outcome is stored in the command's own transaction (booking.Receipt),
// so a crash leaves either the whole outcome or nothing; the Redis lock
// only turns a concurrent retry into a quick 409.

const (
	idempotencyHeader = "Idempotency-Key"
	maxKeyLength      = 255
	inFlightTTL       = 30 * time.Second
)

// idempotencyKey reads the header: a structured-field string ("…") as the
// draft has it, or the bare token most clients send.
func idempotencyKey(r *http.Request) (string, error) {
	vs := r.Header.Values(idempotencyHeader)
	if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "", problem(http.StatusBadRequest, "idempotency-key-missing", "Idempotency-Key required",
			"Send an Idempotency-Key header (a UUID works) so a retry cannot book twice.")
	}
	if len(vs) > 1 {
		return "", badRequest("Send one Idempotency-Key header.")
	}
	k := strings.TrimSpace(vs[0])
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" || len(k) > maxKeyLength {
		return "", badRequest("The Idempotency-Key must be 1 to 255 characters.")
	}
	for _, c := range k {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return "", badRequest("The Idempotency-Key must be printable ASCII without quotes or spaces.")
		}
	}
	return k, nil
}

// fingerprint identifies a request: method, path and the canonical body.
func fingerprint(r *http.Request, canonical []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(canonical)
	return h.Sum(nil)
}

// idempotent runs cmd once per idempotency key and writes its response,
// or replays the stored one. canonical is the decoded request re-encoded,
// so formatting differences in a retry do not count as another request.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, canonical []byte,
	render func(booking.Outcome) (booking.StoredResponse, error),
	cmd func(*booking.Receipt) error,
) {
	ctx := r.Context()
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope := scopeOf(r)
	fp := fingerprint(r, canonical)
	if s.replay(w, r, scope, key, fp) {
		return
	}

	if s.locks != nil {
		unlock, err := s.locks.Lock(ctx, "idem:"+scope+":"+key, inFlightTTL)
		switch {
		case errors.Is(err, cache.ErrLocked):
			writeProblem(w, problem(http.StatusConflict, "idempotency-in-flight", "Request in progress",
				"A request with this Idempotency-Key is still being processed; retry when it has finished."))
			return
		case err != nil:
			// Redis is an accelerator: without it a concurrent retry waits
			// on the database's unique key and is replayed instead.
			s.log.WarnContext(ctx, "idempotency lock unavailable, continuing without", slog.String("error", err.Error()))
		default:
			defer func() { _ = unlock(context.WithoutCancel(ctx)) }()
		}
	}

	var rendered *booking.StoredResponse
	receipt := &booking.Receipt{Scope: scope, Key: key, Fingerprint: fp, Render: func(o booking.Outcome) (booking.StoredResponse, error) {
		resp, err := render(o)
		rendered = &resp
		return resp, err
	}}
	err = cmd(receipt)
	switch {
	case errors.Is(err, booking.ErrReceiptTaken):
		// Another request with this key committed first.
		if !s.replay(w, r, scope, key, fp) {
			s.fail(w, r, booking.ErrUnavailable)
		}
	case err != nil:
		s.fail(w, r, err)
	case rendered == nil:
		s.fail(w, r, errors.New("httpapi: command committed without rendering its receipt"))
	default:
		writeStored(w, *rendered, false)
	}
}

// replay answers from a stored receipt if there is one, and reports
// whether it did.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, scope, key string, fp []byte) bool {
	storedFP, resp, found, err := s.receipts.LookupReceipt(r.Context(), scope, key, s.svc.Now())
	switch {
	case err != nil:
		s.fail(w, r, err)
		return true
	case !found:
		return false
	case !bytes.Equal(storedFP, fp):
		writeProblem(w, problem(http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
			"This Idempotency-Key was already used for a different request; use a new key for a new request."))
		return true
	default:
		writeStored(w, resp, true)
		return true
	}
}

func writeStored(w http.ResponseWriter, resp booking.StoredResponse, replayed bool) {
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}
