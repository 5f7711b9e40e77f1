package httpapi

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"innkeeper/shared/booking"
	"innkeeper/shared/keyring"
)

// The Idempotency-Key header, after draft-ietf-httpapi-idempotency-key-header:
//   - no key on a write: 400;
//   - a key with a stored outcome and the same request: the stored response
//     again, with Idempotent-Replayed: true;
//   - a key with a stored outcome and another request: 422;
//   - a key whose first request is still running: 409.
// Keys are scoped per client (see scopesOf) and kept for booking.ReceiptTTL.
// The outcome is stored in the command's own transaction (booking.Receipt),
// so a crash leaves either the whole outcome or nothing, and the receipt's
// unique key undoes a retry that runs again. The store claims the key when
// the transaction begins, so a concurrent retry gets a quick 409. All of
// it lives in PostgreSQL: no second store to disagree with or to be down.
//
// The stored body is sealed (shared/keyring, AES-GCM under a key derived
// from APP_KEY) and bound to its scope, key and request: a new booking's
// response holds the guest's access token, which must not be readable in
// the database or its backups. A replay opens it under APP_KEY or
// APP_KEY_NEXT, so a rotation does not lose the receipts made before it.

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
	scope, before := s.scopesOf(r)
	fp := fingerprint(r, canonical)
	// A retry across a rotation of the application key finds what the
	// caller stored under its former name. Only during a rotation is
	// there one to look up.
	for _, sc := range before {
		if s.replay(w, r, sc, key, fp) {
			return
		}
	}

	var rendered *booking.StoredResponse
	receipt := &booking.Receipt{Scope: scope, Key: key, Fingerprint: fp, Render: func(o booking.Outcome) (booking.StoredResponse, error) {
		resp, err := render(o)
		if err != nil {
			return resp, err
		}
		rendered = &resp
		stored := resp
		stored.Body = s.seal.Seal(resp.Body, receiptContext(scope, key, fp))
		return stored, nil
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
	}
	body, err := s.openReceipt(resp.Body, scope, key, fp)
	if err != nil {
		s.log.ErrorContext(r.Context(), "idempotency receipt cannot be opened", slog.String("error", err.Error()))
		writeProblem(w, problem(http.StatusConflict, "idempotency-receipt-unreadable", "Stored response unreadable",
			"A request with this Idempotency-Key was already processed, but its response can no longer be read; look the resource up, or use a new key for a new request."))
		return true
	}
	resp.Body = body
	writeStored(w, resp, true)
	return true
}

// receiptContext binds a sealed body to the receipt it was stored with,
// so it opens in no other row.
func receiptContext(scope, key string, fp []byte) []byte {
	c := make([]byte, 0, len(scope)+len(key)+len(fp)+32)
	c = append(c, "idempotency-receipt\x00"...)
	c = append(c, scope...)
	c = append(c, 0)
	c = append(c, key...)
	c = append(c, 0)
	return append(c, fp...)
}

// openReceipt gives back a stored body: sealed, as every one written
// since sealing began, or in clear, as those written before (they expire
// within booking.ReceiptTTL and migration 0005 dropped those with a
// token).
func (s *Server) openReceipt(body []byte, scope, key string, fp []byte) ([]byte, error) {
	if !keyring.IsSealed(body) {
		return body, nil
	}
	plain, err := s.seal.Open(body, receiptContext(scope, key, fp))
	if err != nil {
		return nil, fmt.Errorf("httpapi: receipt %s: %w", scope, err)
	}
	return plain, nil
}

func writeStored(w http.ResponseWriter, resp booking.StoredResponse, replayed bool) {
	w.Header().Set("Content-Type", "application/json")
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}
