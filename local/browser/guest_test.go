package browser

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// A guest books a room with a test card in one tab; in a second tab, open
// on the same hotel and dates, the rooms left drop with no reload (the
// WebSocket API's push); the first tab reaches the confirmation with the
// reference the API holds. Both pages pass axe-core, and are
// photographed at desktop and phone widths.
func TestGuestBooksAndAnotherTabSeesUnitsDrop(t *testing.T) {
	b := NewBrowser(t, stack)
	watcher, guest := b.NewTab(t), b.NewTab(t)

	// A stay far enough out that nothing else books it.
	in := time.Now().AddDate(0, 0, 40)
	page := fmt.Sprintf("/#/book/lisbon-riverside?check_in=%s&check_out=%s&adults=2",
		in.Format(time.DateOnly), in.AddDate(0, 0, 2).Format(time.DateOnly))
	offer := `[data-offer="STD-FLEX"]`
	units := func(tab *Tab) int {
		t.Helper()
		n, err := strconv.Atoi(Eval[string](tab, `document.querySelector('`+offer+` [data-units]').dataset.units`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	watcher.Open(page)
	watcher.WaitVisible(offer + " [data-units]")
	watcher.Poll(`document.querySelector('[data-live="live"]')`, 30*time.Second, "the booking page's live connection")
	before := units(watcher)
	if before < 1 {
		t.Fatalf("no STD-FLEX room left to book (%d)", before)
	}
	watcher.Axe()
	watcher.Screenshot("guest-book-desktop")

	guest.Open(page)
	guest.WaitVisible(offer + " button")
	if got := units(guest); got != before {
		t.Fatalf("two tabs disagree on rooms left: %d and %d", got, before)
	}
	guest.Click(offer + " button")
	guest.WaitVisible("#guest-name")
	guest.Type("#guest-name", "Ana Browser")
	guest.Type("#guest-email", "ana.browser@example.com")
	if card := Eval[string](guest, `document.querySelector('#card').value`); card != "pm_card_visa" {
		t.Fatalf("the default test card is %q", card)
	}
	guest.Click(".bookform button[type=submit]")
	guest.WaitVisible("[data-reference]")
	ref := guest.Text("[data-reference]")

	// The other tab was not reloaded: its rooms left drop by the push.
	watcher.Poll(fmt.Sprintf(`document.querySelector('%s [data-units]').dataset.units === "%d"`, offer, before-1),
		90*time.Second, "rooms left dropping live in the other tab")

	// The reference shown is the API's, and the booking is confirmed.
	var desk struct {
		Reservation struct {
			Reference string `json:"reference"`
			Status    string `json:"status"`
			Guest     struct {
				Email string `json:"email"`
			} `json:"guest"`
		} `json:"reservation"`
	}
	if code, err := stack.API(t.Context(), "GET", "/v1/admin/reservations/"+ref, stack.AdminKey, &desk); err != nil || code != 200 {
		t.Fatalf("the API does not know %q: %d %v", ref, code, err)
	}
	if desk.Reservation.Reference != ref || desk.Reservation.Status != "confirmed" || desk.Reservation.Guest.Email != "ana.browser@example.com" {
		t.Fatalf("the API holds %+v for %s", desk.Reservation, ref)
	}
	if st := Eval[string](guest, `document.querySelector('[data-status]').dataset.status`); st != "confirmed" {
		t.Fatalf("the confirmation shows status %q", st)
	}
	guest.Axe()
	guest.Screenshot("guest-confirmation-desktop")

	for _, tab := range []*Tab{watcher, guest} {
		tab.Viewport(Phone)
	}
	watcher.Axe()
	watcher.Screenshot("guest-book-phone")
	guest.Screenshot("guest-confirmation-phone")
	// On a phone the page is one column: nothing wider than the screen.
	if w := Eval[int](watcher, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the booking page is %d px wide on a 375 px screen", w)
	}
}
