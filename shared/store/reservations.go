package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"innkeeper/shared/booking"
)

// takeNights adds rooms to sold for every night of the stay whose free
// units allow it. The nights are locked in date order first: a plain
// UPDATE may visit rows in physical order, and two bookings over
// overlapping nights that lock in different orders deadlock (seen under
// load). After the lock PostgreSQL re-checks the condition on the latest
// row version, so the count of updated rows tells whether every night had
// room, under any concurrency.
const takeNights = `
	WITH locked AS (
		SELECT night FROM inventory
		WHERE room_type_id = $1 AND night >= $2 AND night < $3
		ORDER BY night FOR UPDATE)
	UPDATE inventory i SET sold = i.sold + $4
	FROM locked
	WHERE i.room_type_id = $1 AND i.night = locked.night AND i.units - i.sold >= $4`

// releaseNights gives rooms back for every night of a stay, locking in
// the same order.
const releaseNights = `
	WITH locked AS (
		SELECT night FROM inventory
		WHERE room_type_id = $1 AND night >= $2 AND night < $3
		ORDER BY night FOR UPDATE)
	UPDATE inventory i SET sold = i.sold - $4
	FROM locked
	WHERE i.room_type_id = $1 AND i.night = locked.night`

// holdQuotaLock serialises the holds of one email (its booking.EmailKey)
// for the rest of the transaction, so that counting them and adding one
// is a single step: without it, concurrent holds from one address would
// each count the same few and all pass. It is taken before the nights,
// and nothing takes it after them, so the lock order stays acyclic.
const holdQuotaLock = `SELECT pg_advisory_xact_lock($1)`

// activeHolds counts an email's holds that have not expired. Read after
// holdQuotaLock, in a statement of its own, it sees every hold committed
// by a transaction that held the lock before.
const activeHolds = `SELECT count(*) FROM reservations
	WHERE guest_email_key = $1 AND status = 'held' AND hold_expires_at > $2`

// nightsOverHoldShare counts the nights of a stay on which the units
// already held unpaid, plus $4 more, would exceed $5 percent of the
// night's units, rounded up. It runs after takeNights has locked every
// night of the stay, in a later statement, so it sees every hold committed
// by transactions that took those nights before, and no hold over these
// nights can commit until this transaction ends: two concurrent holds
// cannot both pass the cap. Holds past their expiry that the sweep has not
// expired yet still count, as they still count in sold. $6 is a hold left
// out of the sum: a modified hold, whose row still names its old stay
// (0 for a new booking).
const nightsOverHoldShare = `SELECT count(*) FROM inventory i
	WHERE i.room_type_id = $1 AND i.night >= $2 AND i.night < $3
		AND $4 + (SELECT coalesce(sum(r.rooms), 0) FROM reservations r
			WHERE r.room_type_id = $1 AND r.status = 'held' AND r.check_in <= i.night AND r.check_out > i.night
				AND r.id <> $6)
			> (i.units * $5 + 99) / 100`

// bookableTerms reads, under a share lock, the rate plan's terms, the
// hotel's currency and clock, whether the plan or its room type is
// archived, and whether the hotel is. The lock makes a concurrent
// catalogue edit (which locks the row FOR UPDATE) wait for the booking,
// or the booking for the edit: a booking never commits under terms or a
// plan that an edit committed before it replaced or archived. It is taken
// before the nights, and edits take no inventory lock, so the lock order
// stays acyclic.
var bookableTerms = `SELECT rp.refundable, rp.free_cancellation_hours, rp.penalty_percent,
		h.currency, h.timezone, to_char(h.check_in_time, 'HH24:MI'),
		rp.archived_at IS NOT NULL OR rt.archived_at IS NOT NULL, h.archived_at IS NOT NULL,
		rp.base_occupancy, rp.extra_adult_cents, rp.extra_child_cents, rp.single_occupancy_discount_cents,
		` + ageBandsOf("h.id") + `, rp.payment_policy, rp.deposit_percent
	FROM rate_plans rp JOIN room_types rt ON rt.id = rp.room_type_id JOIN hotels h ON h.id = rp.hotel_id
	WHERE rp.id = $1 AND rt.id = $2
	FOR SHARE`

// scanTerms reads bookableTerms' row into n (the plan's Occupancy and,
// as AgeBands, the hotel's child age bands among the terms: SetAgeBands
// locks the hotel's row, which bookableTerms holds shared, so a booking
// prices under the bands as committed), and refuses a plan that is
// gone or archived, or a hotel that is archived: an archived hotel sells
// nothing new, neither a booking nor a modification's nights.
func scanTerms(row pgx.Row, n *booking.NewReservation) error {
	var archived, hotelArchived bool
	// Fresh ones: JSON decodes into a map or slice it is given, and n's
	// may be the cached catalogue's, shared with other requests.
	n.RatePlan.Occupancy.ExtraChildCents, n.AgeBands = nil, nil
	err := row.Scan(&n.RatePlan.Refundable, &n.RatePlan.FreeCancellationHours, &n.RatePlan.PenaltyPercent,
		&n.Hotel.Currency, &n.Hotel.Timezone, &n.Hotel.CheckInTime, &archived, &hotelArchived,
		&n.RatePlan.Occupancy.BaseOccupancy, &n.RatePlan.Occupancy.ExtraAdultCents, &n.RatePlan.Occupancy.ExtraChildCents,
		&n.RatePlan.Occupancy.SingleOccupancyDiscountCents, &n.AgeBands,
		&n.RatePlan.Payment.Policy, &n.RatePlan.Payment.DepositPercent)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("rate plan %s: %w", n.RatePlan.Code, booking.ErrNotFound)
	case err != nil:
		return err
	case hotelArchived:
		return booking.ErrHotelArchived(n.Hotel.Slug)
	case archived:
		return booking.ErrArchived(n.RoomType.Code, n.RatePlan.Code)
	}
	return nil
}

const nightlyRates = `SELECT night, amount_cents FROM rates
	WHERE rate_plan_id = $1 AND night >= $2 AND night < $3 ORDER BY night`

// keepNights records the price of each night a reservation was priced
// with (migration 0019), all nights in one statement. It finds the
// reservation by reference, so Book can queue it in the same batch as
// the insert that gives the row its id.
const keepNights = `INSERT INTO reservation_nights (reservation_id, night, amount_cents, rooms_cents)
	SELECT r.id, n.night, n.amount_cents, n.rooms_cents
	FROM reservations r, unnest($2::date[], $3::bigint[], $4::bigint[]) AS n (night, amount_cents, rooms_cents)
	WHERE r.reference = $1`

// queueNights adds the rows of nightly, the prices of reference's nights
// as booked, to b: one room's rate of each night (rates, as read) and
// the night for all the rooms and their guests (priced, as
// booking.PriceNights made it, night for night); fewer rows than nights
// fails the transaction.
func queueNights(b *pgx.Batch, reference string, rates, priced []booking.NightPrice) {
	nightly := priced
	nights := make([]time.Time, len(nightly))
	rateCents, amounts := make([]int64, len(nightly)), make([]int64, len(nightly))
	for i, n := range nightly {
		nights[i], rateCents[i], amounts[i] = n.Date.Time(), rates[i].AmountCents, n.AmountCents
	}
	b.Queue(keepNights, reference, nights, rateCents, amounts).Exec(func(tag pgconn.CommandTag) error {
		if int(tag.RowsAffected()) != len(nightly) {
			return fmt.Errorf("keep nights of %s: %d of %d recorded", reference, tag.RowsAffected(), len(nightly))
		}
		return nil
	})
}

// Book reads the plan's terms, the hotel's taxes and the plan's
// restrictions, takes the nights, prices them under those taxes, and
// records the reservation, the price of each night
// (reservation_nights), its outbox event and the receipt in one
// transaction. A stay the restrictions forbid rolls it all back.
func (s *Store) Book(ctx context.Context, n booking.NewReservation, receipt *booking.Receipt) (booking.Reservation, error) {
	var res booking.Reservation
	ci, co := n.Stay.CheckIn.Time(), n.Stay.CheckOut.Time()
	var taken int64
	var nightly []booking.NightPrice
	hold := n.Status == booking.StatusHeld
	emailKey := booking.EmailKey(n.Guest.Email)
	perEmail := hold && n.Quota.PerEmail > 0
	held := 0
	var termsErr error
	var restrictions []booking.NightRestrictions
	takeAndPrice := func(b *pgx.Batch) {
		taken, nightly, held, restrictions = 0, nil, 0, nil
		if perEmail {
			b.Queue(holdQuotaLock, ClaimKey("innkeeper.hold-quota", emailKey))
			b.Queue(activeHolds, emailKey, n.Now).QueryRow(func(row pgx.Row) error { return row.Scan(&held) })
		}
		b.Queue(bookableTerms, n.RatePlan.ID, n.RoomType.ID).QueryRow(func(row pgx.Row) error {
			termsErr = scanTerms(row, &n)
			return nil
		})
		// The taxes as committed, under bookableTerms' lock on the hotel:
		// the booking is priced with them, never with n's (a cache's).
		queueTaxes(b, n.Hotel.ID, &n.Taxes)
		b.Queue(stayRestrictions, n.RatePlan.ID, ci, co).Query(func(rows pgx.Rows) (err error) {
			restrictions, err = collectRestrictions(rows)
			return err
		})
		b.Queue(takeNights, n.RoomType.ID, ci, co, n.Stay.Rooms).Exec(func(tag pgconn.CommandTag) error {
			taken = tag.RowsAffected()
			return nil
		})
		b.Queue(nightlyRates, n.RatePlan.ID, ci, co).Query(func(rows pgx.Rows) (err error) {
			nightly, err = pgx.CollectRows(rows, scanNightPrice)
			return err
		})
	}
	err := s.inTx(ctx, "book", receipt, takeAndPrice, func(tx pgx.Tx) error {
		if termsErr != nil {
			return termsErr
		}
		// Refused before sold out: a closed date is the reason whatever
		// the rooms, and the rollback gives back the nights just taken.
		if err := n.CheckRestrictions(restrictions); err != nil {
			return err
		}
		if perEmail && held >= n.Quota.PerEmail {
			return booking.ErrHoldLimit
		}
		if int(taken) != n.Stay.Nights() {
			return booking.ErrSoldOut
		}
		if hold && n.Quota.SharePercent > 0 {
			var over int
			if err := tx.QueryRow(ctx, nightsOverHoldShare, n.RoomType.ID, ci, co, n.Stay.Rooms, n.Quota.SharePercent, 0).Scan(&over); err != nil {
				return err
			}
			if over > 0 {
				return booking.ErrHoldShare
			}
		}
		var priced []booking.NightPrice
		var err error
		res, priced, err = n.Priced(nightly)
		if err != nil {
			return err
		}

		b := &pgx.Batch{}
		queueReservation(b, n, &res, emailKey, "", 0)
		queueNights(b, res.Reference, nightly, priced)
		if err := queueEvent(b, res, n.Now); err != nil {
			return err
		}
		if n.Audit != nil {
			if err := queueAudit(b, *n.Audit, booking.Reservation{}, res, n.Now); err != nil {
				return err
			}
		}
		if err := queueReceipt(b, receipt, booking.Outcome{Reservation: res, AccessToken: n.AccessToken}, n.Now); err != nil {
			return err
		}
		err = tx.SendBatch(ctx, b).Close()
		if c, constraint := pgCode(err); c == uniqueViolation && constraint == "reservations_reference_key" {
			return booking.DuplicateReference()
		}
		if err != nil {
			return err
		}
		// A prepaid booking confirmed is invoiced with it (invoices.go).
		return issueInvoices(ctx, tx, booking.Reservation{}, res, "", n.Now)
	})
	if err != nil {
		return booking.Reservation{}, err
	}
	return res, nil
}

// insertReservation records a new reservation; $25 and $26 are the
// booking it is a line of and the line's number, "" and 0 for a
// reservation booked alone (NULL both).
const insertReservation = `INSERT INTO reservations (reference, hotel_id, room_type_id, rate_plan_id, status,
		check_in, check_out, rooms, adults, children, guest_name, guest_email, guest_phone,
		total_cents, currency, refundable, free_cancellation_until, penalty_percent,
		hold_expires_at, access_token_hash, created_at, updated_at, guest_email_key, confirmed_at,
		price, children_ages, booking_id, line_no, payment_policy, deposit_percent)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22,
		CASE WHEN $5 = 'confirmed' THEN $21::timestamptz END, $23, $24,
		(SELECT id FROM bookings WHERE reference = NULLIF($25, '')), NULLIF($26::int, 0), NULLIF($27, ''), $28)
	RETURNING id`

// queueReservation adds the insert of res, priced from n, to b; the row's
// id lands in res.ID. bookingRef and line name the booking res is a line
// of ("" and 0 for none).
func queueReservation(b *pgx.Batch, n booking.NewReservation, res *booking.Reservation, emailKey, bookingRef string, line int) {
	ci, co := n.Stay.CheckIn.Time(), n.Stay.CheckOut.Time()
	b.Queue(insertReservation,
		res.Reference, n.Hotel.ID, n.RoomType.ID, n.RatePlan.ID, res.Status,
		ci, co, res.Rooms, res.Adults, res.Children, res.Guest.Name, res.Guest.Email, res.Guest.Phone,
		res.TotalCents, res.Currency, res.Refundable, res.FreeCancellationUntil, res.PenaltyPercent,
		res.HoldExpiresAt, res.AccessTokenHash, n.Now, emailKey, res.Price, ages(res.ChildrenAges),
		bookingRef, line, res.Payment.Policy, res.Payment.DepositPercent).QueryRow(func(row pgx.Row) error {
		return row.Scan(&res.ID)
	})
}

// queueEvent adds the outbox row describing r's new state to b.
func queueEvent(b *pgx.Batch, r booking.Reservation, at time.Time) error {
	return queueOutbox(b, booking.EventFor(r, at))
}

// queueOutbox adds the outbox row of ev to b.
func queueOutbox(b *pgx.Batch, ev booking.Event) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	b.Queue(`INSERT INTO outbox (event_type, aggregate_id, payload, created_at) VALUES ($1, $2, $3, $4)`,
		ev.Type, ev.Reference, payload, ev.OccurredAt)
	return nil
}

// queueReceipt adds the idempotency receipt to b. The insert only takes an
// empty or expired key; if it takes nothing, another request committed an
// outcome under the key first, and the whole transaction is undone.
func queueReceipt(b *pgx.Batch, receipt *booking.Receipt, o booking.Outcome, now time.Time) error {
	if receipt == nil {
		return nil
	}
	resp, err := receipt.Render(o)
	if err != nil {
		return fmt.Errorf("render receipt: %w", err)
	}
	headers, err := json.Marshal(resp.Header)
	if err != nil {
		return fmt.Errorf("encode receipt headers: %w", err)
	}
	if receipt.Replace {
		b.Queue(`UPDATE idempotency_receipts SET status = $4, headers = $5, body = $6
			WHERE scope = $1 AND key = $2 AND fingerprint = $3`,
			receipt.Scope, receipt.Key, receipt.Fingerprint, resp.Status, headers, resp.Body)
		return nil
	}
	b.Queue(`INSERT INTO idempotency_receipts (scope, key, fingerprint, status, headers, body, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (scope, key) DO UPDATE
			SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, headers = EXCLUDED.headers,
				body = EXCLUDED.body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
			WHERE idempotency_receipts.expires_at <= EXCLUDED.created_at`,
		receipt.Scope, receipt.Key, receipt.Fingerprint, resp.Status, headers, resp.Body,
		now, now.Add(booking.ReceiptTTL)).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() == 0 {
			return booking.ErrReceiptTaken
		}
		return nil
	})
	return nil
}

const reservationColumns = `r.id, r.reference, r.status, r.hotel_id, h.slug, h.timezone, to_char(h.check_in_time, 'HH24:MI'),
	r.room_type_id, rt.code, rp.code,
	r.check_in, r.check_out, r.adults, r.children, r.rooms,
	r.guest_name, r.guest_email, r.guest_phone, r.total_cents, r.currency,
	r.refundable, r.free_cancellation_until, r.penalty_percent,
	r.hold_expires_at, r.cancellation_fee_cents, r.created_at, r.updated_at, r.access_token_hash,
	r.no_show_fee_cents, r.checked_in_at, r.checked_out_at, r.price, r.children_ages,
	coalesce((SELECT bk.reference FROM bookings bk WHERE bk.id = r.booking_id), ''), coalesce(r.line_no, 0),
	coalesce(r.payment_policy, ''), coalesce(r.deposit_percent, 0),
	coalesce(r.payment_intent, ''), coalesce(r.payment_customer, ''), coalesce(r.payment_method, ''),
	(` + paidOf + `)`

const reservationFrom = ` FROM reservations r
	JOIN hotels h ON h.id = r.hotel_id
	JOIN room_types rt ON rt.id = r.room_type_id
	JOIN rate_plans rp ON rp.id = r.rate_plan_id`

func scanReservation(row pgx.Row) (booking.Reservation, error) {
	var r booking.Reservation
	var ci, co time.Time
	var price *booking.Price
	var childrenAges []int32
	err := row.Scan(&r.ID, &r.Reference, &r.Status, &r.HotelID, &r.HotelSlug, &r.Timezone, &r.CheckInTime,
		&r.RoomTypeID, &r.RoomTypeCode, &r.RatePlanCode,
		&ci, &co, &r.Adults, &r.Children, &r.Rooms,
		&r.Guest.Name, &r.Guest.Email, &r.Guest.Phone, &r.TotalCents, &r.Currency,
		&r.Refundable, &r.FreeCancellationUntil, &r.PenaltyPercent,
		&r.HoldExpiresAt, &r.CancellationFeeCents, &r.CreatedAt, &r.UpdatedAt, &r.AccessTokenHash,
		&r.NoShowFeeCents, &r.CheckedInAt, &r.CheckedOutAt, &price, &childrenAges, &r.BookingReference, &r.Line,
		&r.Payment.Policy, &r.Payment.DepositPercent,
		&r.PendingPayment, &r.Card.Customer, &r.Card.Method, &r.PaidCents)
	r.CheckIn, r.CheckOut = booking.DateOf(ci), booking.DateOf(co)
	if price != nil {
		r.Price = *price
	} else {
		// Booked before prices were kept line by line (migration 0022).
		r.Price = booking.RoomOnly(r.Currency, r.TotalCents)
	}
	for _, a := range childrenAges {
		r.ChildrenAges = append(r.ChildrenAges, int(a))
	}
	return r, err
}

// ages is a stay's children's ages as the column keeps them: NULL when
// none were given.
func ages(a []int) []int32 {
	if len(a) == 0 {
		return nil
	}
	out := make([]int32, len(a))
	for i, v := range a {
		out[i] = int32(v)
	}
	return out
}

// Reservation reads one reservation by reference.
func (s *Store) Reservation(ctx context.Context, reference string) (booking.Reservation, error) {
	r, err := scanReservation(s.pool.QueryRow(ctx, `SELECT `+reservationColumns+reservationFrom+` WHERE r.reference = $1`, reference))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("reservation %s: %w", reference, booking.ErrNotFound)
	}
	return r, classify("reservation", err)
}

// lockReservation queues the read of a reservation under a row lock, the
// first statement of a command on it; the row and the read's error land
// in r and readErr.
func lockReservation(reference string, r *booking.Reservation, readErr *error) func(*pgx.Batch) {
	return func(b *pgx.Batch) {
		b.Queue(`SELECT `+reservationColumns+reservationFrom+` WHERE r.reference = $1 FOR UPDATE OF r`, reference).
			QueryRow(func(row pgx.Row) error {
				*r, *readErr = scanReservation(row)
				return nil
			})
	}
}

// onLocked runs fn in a transaction (claiming receipt's key first) on
// the reservation of reference, locked as the transaction's first read;
// an unknown reference is ErrNotFound.
func (s *Store) onLocked(ctx context.Context, op, reference string, receipt *booking.Receipt, fn func(pgx.Tx, booking.Reservation) error) error {
	var r booking.Reservation
	var readErr error
	return s.inTx(ctx, op, receipt, lockReservation(reference, &r, &readErr), func(tx pgx.Tx) error {
		if errors.Is(readErr, pgx.ErrNoRows) {
			return fmt.Errorf("reservation %s: %w", reference, booking.ErrNotFound)
		}
		if readErr != nil {
			return readErr
		}
		return fn(tx, r)
	})
}

// Transition locks the reservation row, lets decide choose the change and
// applies it, giving nights back when asked, with its event and receipt.
func (s *Store) Transition(ctx context.Context, reference string, decide func(booking.Reservation) (booking.Transition, error), receipt *booking.Receipt) (booking.Reservation, error) {
	var res booking.Reservation
	var after error
	err := s.onLocked(ctx, "transition", reference, receipt, func(tx pgx.Tx, r booking.Reservation) error {
		t, err := decide(r)
		if err != nil {
			return err
		}
		after = t.Err
		b := &pgx.Batch{}
		before := r
		if r, err = queueTransition(b, r, t); err != nil {
			return err
		}
		// A failed command (an expired hold) is not a result to replay.
		if t.Err == nil {
			if err := queueReceipt(b, receipt, booking.Outcome{Reservation: r}, t.At); err != nil {
				return err
			}
		}
		res = r
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		// The invoice or credit note the change calls for, numbered in
		// this transaction (invoices.go).
		return issueInvoices(ctx, tx, before, r, t.PaymentMethod, t.At)
	})
	if err != nil {
		return booking.Reservation{}, err
	}
	return res, after
}

// queueTransition adds to b the writes of t on r, a reservation locked
// in the transaction: its row, the nights it gives back (in the lock
// order of takeNights), its audit row and its event. It returns r as
// changed.
func queueTransition(b *pgx.Batch, r booking.Reservation, t booking.Transition) (booking.Reservation, error) {
	before := r
	r.Status, r.UpdatedAt = t.To, t.At
	if t.FeeCents != nil {
		r.CancellationFeeCents = t.FeeCents
	}
	if t.NoShowFeeCents != nil {
		r.NoShowFeeCents = t.NoShowFeeCents
	}
	switch t.To {
	case booking.StatusCheckedIn:
		r.CheckedInAt = &t.At
	case booking.StatusCheckedOut:
		r.CheckedOutAt = &t.At
	}
	// An early check-out gives back the nights from ReleaseFrom on
	// (in the lock order of takeNights) and the stay ends that day.
	// Their reservation_nights rows stay: they were booked and
	// priced, and the booked total stands (booking.CheckOut).
	from := r.CheckIn
	if t.ReleaseNights && !t.ReleaseFrom.IsZero() {
		if !r.CheckIn.Before(t.ReleaseFrom) || !t.ReleaseFrom.Before(r.CheckOut) {
			return r, fmt.Errorf("release %s: %s is not inside the stay", r.Reference, t.ReleaseFrom)
		}
		from = t.ReleaseFrom
	}
	released := from.DaysUntil(r.CheckOut)
	until := r.CheckOut
	if r.CheckIn.Before(from) {
		r.CheckOut = from
	}
	// confirmed_at is set once, as the reservation becomes confirmed.
	b.Queue(`UPDATE reservations SET status = $2, cancellation_fee_cents = $3, updated_at = $4,
			no_show_fee_cents = $5, checked_in_at = $6, checked_out_at = $7, check_out = $8,
			confirmed_at = COALESCE(confirmed_at, CASE WHEN $2 = 'confirmed' THEN $4::timestamptz END)
		WHERE id = $1`,
		r.ID, r.Status, r.CancellationFeeCents, r.UpdatedAt,
		r.NoShowFeeCents, r.CheckedInAt, r.CheckedOutAt, r.CheckOut.Time())
	if t.ReleaseNights {
		b.Queue(releaseNights, r.RoomTypeID, from.Time(), until.Time(), r.Rooms).Exec(func(tag pgconn.CommandTag) error {
			if int(tag.RowsAffected()) != released {
				return fmt.Errorf("release %s: %d of %d nights in inventory", r.Reference, tag.RowsAffected(), released)
			}
			return nil
		})
	}
	if t.Audit != nil {
		if err := queueAudit(b, *t.Audit, before, r, t.At); err != nil {
			return r, err
		}
	}
	ev := booking.EventFor(r, t.At)
	if t.AsBooking {
		ev = booking.BookingEventFor(r, t.At)
	}
	if err := queueOutbox(b, ev); err != nil {
		return r, err
	}
	return r, nil
}

// deskText is what the front desk's search looks in, folded as the index
// reservations_desk_search is (migration 0015): the planner uses the
// index only for this very expression.
const deskText = `desk_fold(r.reference || ' ' || r.guest_email || ' ' || r.guest_name)`

// likeEscaper makes text typed at the desk match literally inside LIKE,
// whose default escape character is the backslash.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListReservations reads one page of a hotel's reservations, ordered by
// check-in then id, after the cursor. A query keeps the order, so the
// cursor pages through the matches alone.
func (s *Store) ListReservations(ctx context.Context, q booking.ReservationQuery) ([]booking.Reservation, error) {
	var from, to, afterIn *time.Time
	var afterID int64
	if !q.From.IsZero() {
		t := q.From.Time()
		from = &t
	}
	if !q.To.IsZero() {
		t := q.To.Time()
		to = &t
	}
	if q.After != nil {
		t := q.After.CheckIn.Time()
		afterIn, afterID = &t, q.After.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+reservationColumns+reservationFrom+`
		WHERE r.hotel_id = $1
			AND ($2::date IS NULL OR r.check_out > $2)
			AND ($3::date IS NULL OR r.check_in < $3)
			AND ($4 = '' OR r.status = $4)
			AND ($5::date IS NULL OR (r.check_in, r.id) > ($5::date, $6::bigint))
			AND ($8 = '' OR `+deskText+` LIKE '%' || desk_fold($8) || '%')
		ORDER BY r.check_in, r.id
		LIMIT $7`, q.HotelID, from, to, string(q.Status), afterIn, afterID, q.Limit, likeEscaper.Replace(q.Query))
	if err != nil {
		return nil, classify("list reservations", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Reservation, error) { return scanReservation(r) })
	return rs, classify("list reservations", err)
}

// DueHolds lists holds whose expiry has passed, oldest first.
func (s *Store) DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT reference FROM reservations
		WHERE status = 'held' AND hold_expires_at <= $1 ORDER BY hold_expires_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, classify("due holds", err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return refs, classify("due holds", err)
}

// LookupReceipt returns the live receipt stored under (scope, key).
func (s *Store) LookupReceipt(ctx context.Context, scope, key string, now time.Time) (fingerprint []byte, resp booking.StoredResponse, found bool, err error) {
	var headers map[string]string
	err = s.pool.QueryRow(ctx, `SELECT fingerprint, status, headers, body FROM idempotency_receipts
		WHERE scope = $1 AND key = $2 AND expires_at > $3`, scope, key, now).
		Scan(&fingerprint, &resp.Status, &headers, &resp.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, resp, false, nil
	}
	if err != nil {
		return nil, resp, false, classify("lookup receipt", err)
	}
	resp.Header = headers
	return fingerprint, resp, true, nil
}

// DeskRecord reads a reservation with the nights it was booked for at
// the prices booked (reservation_nights), the emails sent about it and
// its audit trail, all from one snapshot; booking.ErrNotFound when the
// reference is unknown.
func (s *Store) DeskRecord(ctx context.Context, reference string) (booking.DeskRecord, error) {
	var d booking.DeskRecord
	// Repeatable read: the four reads see one state, even while the
	// reservation changes.
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		r, err := scanReservation(tx.QueryRow(ctx, `SELECT `+reservationColumns+reservationFrom+` WHERE r.reference = $1`, reference))
		if err != nil {
			return err
		}
		d.Reservation = r
		var night time.Time
		var amount, rate int64
		// Rows from before rooms_cents (migration 0024) were priced at
		// the rate times the rooms.
		rows, err := tx.Query(ctx, `SELECT night, coalesce(rooms_cents, amount_cents * $2), amount_cents
			FROM reservation_nights WHERE reservation_id = $1 ORDER BY night`, r.ID, r.Rooms)
		if err != nil {
			return err
		}
		_, err = pgx.ForEachRow(rows, []any{&night, &amount, &rate}, func() error {
			d.Nights = append(d.Nights, booking.NightPrice{Date: booking.DateOf(night), AmountCents: amount})
			d.Rates = append(d.Rates, booking.NightPrice{Date: booking.DateOf(night), AmountCents: rate})
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT kind, message_id, sent_at FROM notifications
			WHERE reservation_id = $1 AND sent_at IS NOT NULL ORDER BY sent_at, id`, r.ID)
		if err != nil {
			return err
		}
		d.Notices, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.Notice, error) {
			var n booking.Notice
			return n, row.Scan(&n.Kind, &n.MessageID, &n.SentAt)
		})
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT at, actor_kind, actor, coalesce(actor_role, ''), action,
				coalesce(entity_kind, ''), coalesce(entity_key, ''), before, after, coalesce(reason, ''), coalesce(request_id, '')
			FROM audit_events WHERE reservation = $1 ORDER BY at, id`, reference)
		if err != nil {
			return err
		}
		d.History, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.AuditEvent, error) {
			var e booking.AuditEvent
			return e, row.Scan(&e.At, &e.ActorKind, &e.Actor, &e.ActorRole, &e.Action,
				&e.EntityKind, &e.EntityKey, &e.Before, &e.After, &e.Reason, &e.RequestID)
		})
		if err != nil {
			return err
		}
		d.Payments, err = paymentsOf(ctx, tx, r.ID)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("store: desk record %s: %w", reference, booking.ErrNotFound)
	}
	if err != nil {
		return booking.DeskRecord{}, classify("desk record "+reference, err)
	}
	return d, nil
}
