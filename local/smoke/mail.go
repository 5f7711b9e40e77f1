package smoke

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The word of each email's subject that tells it apart ("Booking
// confirmed: INK-… at …", "Booking cancelled: INK-… at …").
const (
	confirmedWord = "confirmed"
	cancelledWord = "cancelled"
)

// emailConfirmation waits for the booking's confirmation email. It runs
// before the cancellation on purpose: the worker sends nothing for an
// event the reservation has moved past, so a confirmation handled after
// the cancel is skipped as stale, and a run that cancelled at once would
// see the confirmation only by luck.
func (r *run) emailConfirmation(ctx context.Context) outcome {
	if o, ok := r.canAwaitMail(); !ok {
		return o
	}
	if r.ref == "" {
		return skip("no reservation (create-reservation did not pass)")
	}
	return r.awaitMail(ctx, "confirmation", confirmedWord)
}

// emailCancellation waits for the booking's cancellation email.
func (r *run) emailCancellation(ctx context.Context) outcome {
	if o, ok := r.canAwaitMail(); !ok {
		return o
	}
	if !r.cancelled {
		return skip("no cancellation (cancel-reservation did not pass)")
	}
	return r.awaitMail(ctx, "cancellation", cancelledWord)
}

// canAwaitMail says why the mail cannot be seen, if it cannot: only a
// Mailpit shows the mail itself. On a stage that mails through SES the
// booking's address is the mailbox simulator's, and the check says so;
// notice-confirmation reads the worker's record of it instead.
func (r *run) canAwaitMail() (outcome, bool) {
	switch {
	case r.cfg.MailpitURL == "" && r.cfg.GuestEmail != "" && r.email != "":
		return skip("mailed %s (no MailpitURL); notice-confirmation reads the worker's record of it", r.email), false
	case r.cfg.MailpitURL == "" && r.cfg.StaffKey != "":
		return skip("no MailpitURL; notice-confirmation reads the worker's record of the mail"), false
	case r.cfg.MailpitURL == "":
		return skip("no MailpitURL"), false
	}
	return outcome{}, true
}

// awaitMail polls Mailpit's search for mail to this run's guest until one
// for the booking has word in its subject.
func (r *run) awaitMail(ctx context.Context, kind, word string) outcome {
	search := strings.TrimRight(r.cfg.MailpitURL, "/") + "/api/v1/search?" + url.Values{"query": {"to:" + r.email}}.Encode()
	ctx, cancel := context.WithTimeout(ctx, mailWait)
	defer cancel()
	var subjects []string
	var lastErr string
	for {
		var res struct {
			Messages []struct {
				Subject string `json:"Subject"`
			} `json:"messages"`
		}
		a, err := r.get(ctx, search)
		if err == nil {
			err = a.decode(http.StatusOK, &res)
		}
		if err != nil {
			if ctx.Err() == nil {
				lastErr = err.Error()
			}
		} else {
			lastErr, subjects = "", nil
			for _, m := range res.Messages {
				subjects = append(subjects, m.Subject)
				if strings.Contains(m.Subject, r.ref) && strings.Contains(strings.ToLower(m.Subject), word) {
					return pass("%q to %s", m.Subject, r.email)
				}
			}
		}
		select {
		case <-ctx.Done():
			if lastErr != "" {
				return fail("Mailpit search: %s", lastErr)
			}
			return fail("no %s of %s after %v; Mailpit has for %s: %q", kind, r.ref, mailWait, r.email, subjects)
		case <-time.After(pollEvery):
		}
	}
}
