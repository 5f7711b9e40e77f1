package smoke

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// noticeKind is the kind the worker records a confirmation email under
// (notify.Confirmation).
const noticeKind = "confirmation"

// noticeConfirmation waits until the worker has recorded the booking's
// confirmation email as sent, reading the front desk's record of it
// (GET /v1/admin/reservations/{reference}, staff key), which lists the
// emails sent. This is how a stage whose mail lands where nobody can
// read it (SES's mailbox simulator, as deploy.yml's run uses) shows the
// mail went out; with a Mailpit too, it shows the record matches.
// Like emailConfirmation, it runs before the cancel: the worker skips a
// confirmation the reservation has moved past.
func (r *run) noticeConfirmation(ctx context.Context) outcome {
	switch {
	case r.cfg.StaffKey == "":
		return skip("no StaffKey to read the booking's desk record")
	case r.ref == "":
		return skip("no reservation (create-reservation did not pass)")
	}
	wait := r.cfg.NoticeWait
	if wait <= 0 {
		wait = mailWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	path := "/v1/admin/reservations/" + url.PathEscape(r.ref)
	var kinds []string
	var lastErr string
	for {
		var rec struct {
			Emails []struct {
				Kind      string     `json:"kind"`
				MessageID string     `json:"message_id"`
				SentAt    *time.Time `json:"sent_at"`
			} `json:"emails"`
		}
		a, err := r.api(ctx, http.MethodGet, path, nil, "Authorization", "Bearer "+r.cfg.StaffKey)
		if err == nil {
			err = a.decode(http.StatusOK, &rec)
		}
		switch {
		case err != nil && (a.status == http.StatusUnauthorized || a.status == http.StatusForbidden || a.status == http.StatusNotFound):
			// Waiting will not change a refusal or a missing booking.
			return fail("GET %s: %s", path, a.summary())
		case err != nil:
			if ctx.Err() == nil {
				lastErr = err.Error()
			}
		default:
			lastErr, kinds = "", nil
			for _, e := range rec.Emails {
				kinds = append(kinds, e.Kind)
				if e.Kind == noticeKind && e.SentAt != nil {
					return pass("%s of %s to %s recorded as sent at %s (message %s)", noticeKind, r.ref, r.email,
						e.SentAt.UTC().Format(time.RFC3339), e.MessageID)
				}
			}
		}
		select {
		case <-ctx.Done():
			if lastErr != "" {
				return fail("GET %s: %s", path, lastErr)
			}
			return fail("no %s email of %s recorded as sent after %v (the worker's notices: %q); is the worker consuming the events queue and its mail accepted?",
				noticeKind, r.ref, wait, kinds)
		case <-time.After(pollEvery):
		}
	}
}
