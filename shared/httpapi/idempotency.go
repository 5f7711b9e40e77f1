package httpapi

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"innkeeper/shared/booking"
)

// The Idempotency-Key header, after draft-ietf-httpapi-idempotency-key-header:
//   - no key on a write: 400;
//   - a key with a stored outcome and the same request: the stored response
//     again, with Idempotent-Replayed: true;
//   - a key with a stored outcome and another request: 422;
//   - a key whose first request is still running: 409.
// Keys are scoped per client (see scopeOf) and kept for booking.ReceiptTTL.
// The outcome is stored in the command's own transaction (booking.Receipt),
// so a crash leaves either the whole outcome or nothing, and the receipt's
// unique key undoes a retry that runs again. The store claims the key when
// the transaction begins, so a concurrent retry gets a quick 409. All of
// it lives in PostgreSQL: no second store to disagree with or to be down.

const (
	idempotencyHeader = "Idempotency-Key"
	maxKeyLength      = 255
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
// Method and path are escaped so that neither holds the space or newline
// that end them: a path with a %0A in it cannot pass for a shorter path
// and another body. Plain methods and paths escape to themselves, so
// their fingerprints, and the receipts stored with them, do not change.
func fingerprint(r *http.Request, canonical []byte) []byte {
	h := sha256.New()
	h.Write([]byte(url.PathEscape(r.Method) + " " + (&url.URL{Path: r.URL.Path}).EscapedPath() + "\n"))
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
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope := scopeOf(r)
	fp := fingerprint(r, canonical)

	var rendered *booking.StoredResponse
	receipt := &booking.Receipt{Scope: scope, Key: key, Fingerprint: fp, Render: func(o booking.Outcome) (booking.StoredResponse, error) {
		resp, err := render(o)
		rendered = &resp
		return resp, err
	}}
	// The command runs first and the receipt is looked up only when it
	// fails: a new request, the common case, pays no extra read, and a
	// retry is undone by the receipt's unique key before it is replayed.
	err = cmd(receipt)
	switch {
	case err == nil && rendered != nil:
		writeStored(w, *rendered, false)
	case err == nil:
		s.fail(w, r, errors.New("httpapi: command committed without rendering its receipt"))
	case errors.Is(err, booking.ErrUnavailable):
		s.fail(w, r, err)
	case s.replay(w, r, scope, key, fp):
	case errors.Is(err, booking.ErrReceiptTaken):
		// Taken, yet gone when looked up: it expired in between.
		writeProblem(w, problem(http.StatusConflict, "idempotency-in-flight", "Request in progress",
			"A request with this Idempotency-Key was being processed; retry it."))
	default:
		s.fail(w, r, err)
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
