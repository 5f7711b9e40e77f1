package queuetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/queue"
)

// AddFunc writes an event to the outbox under test, as a command's
// transaction does, and returns its id.
type AddFunc func(t *testing.T, eventType, reference string, payload []byte, createdAt time.Time) int64

// OutboxContract checks that the outboxes newOutbox makes, a fresh empty
// one for each subtest, behave as the relay relies on. Subtests run in
// parallel.
func OutboxContract(t *testing.T, newOutbox func(t *testing.T) (queue.Outbox, AddFunc)) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	payload := func(ref string) []byte {
		return []byte(`{"type":"reservation.held","reference":"` + ref + `"}`)
	}
	ids := func(events []booking.OutboxEvent) []int64 {
		out := []int64{}
		for _, e := range events {
			out = append(out, e.ID)
		}
		return out
	}
	pending := func(t *testing.T, o queue.Outbox, ref string) []int64 {
		t.Helper()
		events, err := o.PendingFor(ctx, ref)
		if err != nil {
			t.Fatalf("pending for %s: %v", ref, err)
		}
		return ids(events)
	}
	errPublisher := errors.New("publisher down")

	t.Run("pending lists a reservation's unpublished events oldest first", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		a1 := add(t, "reservation.held", "INK-AAAAAA", payload("INK-AAAAAA"), t0)
		add(t, "reservation.held", "INK-BBBBBB", payload("INK-BBBBBB"), t0.Add(time.Second))
		a2 := add(t, "reservation.confirmed", "INK-AAAAAA", payload("INK-AAAAAA"), t0.Add(2*time.Second))
		events, err := o.PendingFor(ctx, "INK-AAAAAA")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(events); !slices.Equal(got, []int64{a1, a2}) {
			t.Fatalf("pending ids %v, want %v", got, []int64{a1, a2})
		}
		e := events[1]
		if e.Type != "reservation.confirmed" || e.Reference != "INK-AAAAAA" || !e.CreatedAt.Equal(t0.Add(2*time.Second)) || !sameJSON(e.Payload, payload("INK-AAAAAA")) {
			t.Fatalf("event read back as %+v (payload %s)", e, e.Payload)
		}
		if got := pending(t, o, "INK-ZZZZZZ"); len(got) != 0 {
			t.Fatalf("pending for a reservation with no events: %v", got)
		}
	})

	t.Run("marked events are no longer pending", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		a1 := add(t, "reservation.held", "INK-AAAAAA", payload("INK-AAAAAA"), t0)
		a2 := add(t, "reservation.confirmed", "INK-AAAAAA", payload("INK-AAAAAA"), t0.Add(time.Second))
		for _, mark := range [][]int64{{a1}, nil, {a1}} { // nothing, then a repeat: no-ops
			if err := o.MarkPublished(ctx, mark); err != nil {
				t.Fatalf("mark %v: %v", mark, err)
			}
		}
		if got := pending(t, o, "INK-AAAAAA"); !slices.Equal(got, []int64{a2}) {
			t.Fatalf("pending %v after marking %d, want [%d]", got, a1, a2)
		}
	})

	t.Run("publish hands over the events before the cut-off, oldest first, a page at a time", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		var want []int64
		for i, ref := range []string{"INK-AAAAAA", "INK-BBBBBB", "INK-AAAAAA"} {
			want = append(want, add(t, "reservation.held", ref, payload(ref), t0.Add(time.Duration(i)*time.Minute)))
		}
		late := add(t, "reservation.held", "INK-CCCCCC", payload("INK-CCCCCC"), t0.Add(10*time.Minute))
		var pages [][]int64
		for range 3 {
			var page []int64
			n, err := o.PublishOutbox(ctx, booking.OutboxFilter{Before: t0.Add(5 * time.Minute), Limit: 2}, func(events []booking.OutboxEvent) ([]int64, error) {
				page = ids(events)
				pages = append(pages, page)
				return page, nil
			})
			if err != nil || n != len(page) {
				t.Fatalf("publish marked %d of %v: %v", n, page, err)
			}
		}
		if !reflect.DeepEqual(pages, [][]int64{want[:2], want[2:]}) {
			t.Fatalf("pages %v, want %v then %v and then none (publish not called)", pages, want[:2], want[2:])
		}
		if got := pending(t, o, "INK-AAAAAA"); len(got) != 0 {
			t.Fatalf("published events still pending: %v", got)
		}
		if got := pending(t, o, "INK-CCCCCC"); !slices.Equal(got, []int64{late}) {
			t.Fatalf("the event after the cut-off: pending %v, want [%d]", got, late)
		}
	})

	t.Run("only what publish reports sent is marked", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		a1 := add(t, "reservation.held", "INK-AAAAAA", payload("INK-AAAAAA"), t0)
		a2 := add(t, "reservation.confirmed", "INK-AAAAAA", payload("INK-AAAAAA"), t0.Add(time.Second))
		n, err := o.PublishOutbox(ctx, booking.OutboxFilter{}, func([]booking.OutboxEvent) ([]int64, error) {
			return []int64{a1}, errPublisher
		})
		if err != nil || n != 1 {
			t.Fatalf("a partly sent page: %d, %v; want 1 marked and no error", n, err)
		}
		if got := pending(t, o, "INK-AAAAAA"); !slices.Equal(got, []int64{a2}) {
			t.Fatalf("pending %v, want the unsent [%d]", got, a2)
		}
	})

	t.Run("a publisher that sends nothing fails the call and marks nothing", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		a1 := add(t, "reservation.held", "INK-AAAAAA", payload("INK-AAAAAA"), t0)
		n, err := o.PublishOutbox(ctx, booking.OutboxFilter{}, func([]booking.OutboxEvent) ([]int64, error) {
			return nil, errPublisher
		})
		if !errors.Is(err, errPublisher) || n != 0 {
			t.Fatalf("got %d, %v; want 0 and the publisher's error", n, err)
		}
		if got := pending(t, o, "INK-AAAAAA"); !slices.Equal(got, []int64{a1}) {
			t.Fatalf("pending %v, want [%d]", got, a1)
		}
	})

	t.Run("no cut-off and no limit take every event", func(t *testing.T) {
		t.Parallel()
		o, add := newOutbox(t)
		var want []int64
		for i := range 3 {
			want = append(want, add(t, "reservation.held", "INK-AAAAAA", payload("INK-AAAAAA"), t0.Add(time.Duration(i)*time.Hour)))
		}
		var got []int64
		n, err := o.PublishOutbox(ctx, booking.OutboxFilter{}, func(events []booking.OutboxEvent) ([]int64, error) {
			got = ids(events)
			return got, nil
		})
		if err != nil || n != 3 || !slices.Equal(got, want) {
			t.Fatalf("got %v (%d marked, %v), want %v", got, n, err, want)
		}
	})
}

// sameJSON reports whether a and b are the same JSON value: a database
// may keep JSON in its own spelling.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
