package store_test

import (
	"innkeeper/shared/jobs"
	"innkeeper/shared/notify"
	"innkeeper/shared/promtext"
	"innkeeper/shared/queue"
	"innkeeper/shared/store"
)

// The store implements the interfaces its users declare (booking.Store
// is checked beside the store itself).
var (
	_ queue.Outbox = (*store.Store)(nil)
	_ jobs.Store   = (*store.Store)(nil)
	_ notify.Store = (*store.Store)(nil)
	_              = func(st *store.Store) promtext.Sources { return promtext.Sources{Bookings: st.BookingCounts} }
)

// That these packages do not import the store in turn is checked with
// the other import rules, in shared/bootstrap/deps_test.go.
