package booking

import (
	"fmt"
	"strings"
)

// HoldQuota bounds what unpaid holds may take. A hold costs the guest
// nothing and takes real nights for HoldTTL, so without a bound anyone
// could keep a hotel looking full at no cost.
type HoldQuota struct {
	// PerEmail is how many active holds one guest email (compared by
	// EmailKey) may have at once; 0 means no limit.
	PerEmail int
	// SharePercent is the most of a night's units, per room type, that
	// unpaid holds may take, rounded up to whole units so that a room type
	// with a single unit can still be held; 0 means no limit.
	SharePercent int
}

// DefaultHoldQuota is what a Service enforces unless told otherwise: at
// most 3 active holds per email, and unpaid holds on at most half of a
// night's units.
var DefaultHoldQuota = HoldQuota{PerEmail: 3, SharePercent: 50}

// Validate checks the limits are in range.
func (q HoldQuota) Validate() error {
	v := &ValidationError{}
	if q.PerEmail < 0 || q.PerEmail > 1000 {
		v.Add("per_email", "must be between 0 (no limit) and 1000")
	}
	if q.SharePercent < 0 || q.SharePercent > 100 {
		v.Add("share_percent", "must be between 0 (no limit) and 100")
	}
	return v.Err()
}

// EmailKey is the form of an email address its hold quota is counted
// under: lower case, without a "+tag" in the local part, since
// ana+1@example.com and Ana@Example.com reach the same mailbox.
func EmailKey(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return e
	}
	local, domain := e[:at], e[at+1:]
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	return local + "@" + domain
}

// SetHoldQuota replaces the limits on unpaid holds (DefaultHoldQuota
// until called).
func (s *Service) SetHoldQuota(q HoldQuota) error {
	if err := q.Validate(); err != nil {
		return fmt.Errorf("booking: hold quota: %w", err)
	}
	s.quota = q
	return nil
}
