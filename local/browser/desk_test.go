package browser

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// bookToday books a family room at lisbon-riverside arriving today (the
// hotel's day) for two nights, paid with the emulator's test card, and
// returns its reference.
func bookToday(t *testing.T, c staffConsole, key string) string {
	t.Helper()
	today := hotelToday(t, c, "lisbon-riverside")
	r := callAPI(t, "POST", c.base+"/v1/reservations", "", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": today.Format(time.DateOnly), "check_out": today.AddDate(0, 0, 2).Format(time.DateOnly), "adults": 2,
		"guest":   map[string]any{"name": "Ana Desk " + key, "email": key + "@example.com"},
		"payment": map[string]any{"payment_method": "pm_card_visa"},
	}, "Idempotency-Key", fmt.Sprintf("%s-%d", key, time.Now().UnixNano()))
	res, _ := r.body["reservation"].(map[string]any)
	ref, _ := res["reference"].(string)
	if r.status != 201 || ref == "" {
		t.Fatalf("book for today: %d %v", r.status, r.body)
	}
	return ref
}

// hotelToday is now in the hotel's time zone (the API's). Within a few
// minutes of the hotel's midnight it waits for the new day, so the day
// booked for is still the day the console shows when it opens.
func hotelToday(t *testing.T, c staffConsole, hotel string) time.Time {
	t.Helper()
	r := callAPI(t, "GET", c.base+"/v1/hotels/"+hotel, "", nil)
	tz, _ := field(r.body, "hotel.timezone").(string)
	if r.status != 200 || tz == "" {
		t.Fatalf("the time zone of %s: %d %v", hotel, r.status, r.body)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatalf("the time zone of %s: %v", hotel, err)
	}
	now := time.Now().In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	if wait := midnight.Sub(now); wait < nearMidnight {
		t.Logf("%v before the hotel's midnight: waiting for the new day", wait.Round(time.Second))
		time.Sleep(wait + time.Second)
		now = time.Now().In(loc)
	}
	return now
}

// nearMidnight is how close to the hotel's midnight a booking for today
// waits for the next day: enough for a test to book and open the desk.
const nearMidnight = 5 * time.Minute

// TestFrontDeskChecksAGuestIn: a guest arriving today is in the day's
// arrivals; the front desk opens the reservation and checks the guest
// in; the API then has it checked in and the desk lists it in house, on
// a desktop and on a phone.
func TestFrontDeskChecksAGuestIn(t *testing.T) {
	c := consoleUnderTest(t)
	staff := newKey(t, c.base, c.admin, "staff")
	ref := bookToday(t, c, "desk-checkin")
	row := func(list string) string { return fmt.Sprintf(`table[data-list=%q] tr[data-reference=%q]`, list, ref) }

	tab, ctx := staffTab(t, 1280, 1000)
	tab.SignIn(staff)
	chooseHotel := script(`const s = document.getElementById('desk-hotel'); s.value = 'lisbon-riverside';
		s.dispatchEvent(new Event('change', {bubbles: true}))`)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(c.base+"/#/desk"),
		chromedp.WaitReady(chromedp.CSS(`#desk-hotel option[value=lisbon-riverside]`)),
		chooseHotel,
		chromedp.WaitVisible(chromedp.CSS(row("arrivals"))),
		chromedp.WaitVisible(chromedp.CSS(`[data-feed-state=live]`)),
	); err != nil {
		t.Fatalf("today's arrivals: %v", err)
	}
	// A booking made while the desk is open appears in the live feed
	// with no reload.
	next := bookToday(t, c, "desk-live")
	tab.Poll(fmt.Sprintf(`document.querySelector('[data-feed] li[data-reference=%q]')`, next), 30*time.Second, "the new booking in the live feed")
	tab.Axe()
	tab.Screenshot("desk")

	// The reservation's page, and the check-in.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(row("arrivals")+` a`)),
		chromedp.WaitVisible(chromedp.CSS(`dd[data-status=confirmed]`)),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Check in"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-panel`)),
		chromedp.Click(chromedp.CSS(`#action-panel button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`dd[data-status=checked_in]`)),
	); err != nil {
		t.Fatalf("check in: %v", err)
	}
	tab.Axe()
	tab.Screenshot("desk-reservation")
	rec := callAPI(t, "GET", c.base+"/v1/admin/reservations/"+ref, staff, nil)
	if got := field(rec.body, "reservation.status"); rec.status != 200 || got != "checked_in" {
		t.Fatalf("the API has %s %v after the desk's check-in: %d", ref, got, rec.status)
	}

	// Back at the desk, the guest is in house; so on a phone too.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="#/desk"]`)),
		chromedp.WaitVisible(chromedp.CSS(row("in-house"))),
	); err != nil {
		t.Fatalf("in house: %v", err)
	}
	tab.Viewport(Size{Width: 375, Height: 812, Scale: 2, Mobile: true})
	tab.WaitVisible(row("in-house"))
	tab.Axe()
	tab.Screenshot("desk-phone")
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the desk is wider than a 375 px phone: it scrolls sideways")
	}
}
