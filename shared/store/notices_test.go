package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// A notification is sent once: a repeat finds it sent and does not call
// send; a failed send records nothing, so the retry sends it.
func TestSendOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-10", "2026-12-11", 1)
	if err != nil {
		t.Fatal(err)
	}
	errSMTP := errors.New("smtp down")
	steps := []struct {
		name     string
		kind     string
		sendErr  error
		wantSent bool
		wantCall bool
	}{
		{"first time", "confirmation", nil, true, true},
		{"a repeat", "confirmation", nil, false, false},
		{"another kind, send fails", "staff-booking", errSMTP, false, true},
		{"its retry", "staff-booking", nil, true, true},
		{"its repeat", "staff-booking", nil, false, false},
	}
	for _, s := range steps {
		called := false
		sent, err := f.st.SendOnce(ctx, r.ID, s.kind, "<"+s.kind+"@test>", func(context.Context) error {
			called = true
			return s.sendErr
		})
		if sent != s.wantSent || called != s.wantCall || !errors.Is(err, s.sendErr) || (err == nil) != (s.sendErr == nil) {
			t.Fatalf("%s: sent %v, called %v, error %v; want %v, %v, %v", s.name, sent, called, err, s.wantSent, s.wantCall, s.sendErr)
		}
	}
	if kinds, err := f.st.Sent(ctx, r.ID); err != nil || !slices.Equal(kinds, []string{"confirmation", "staff-booking"}) {
		t.Fatalf("sent %v, %v", kinds, err)
	}
}
