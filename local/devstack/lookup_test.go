package main

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"innkeeper/local/clock"
	"innkeeper/local/testenv"
)

// manageLink finds the signed manage link in a mail's text.
var manageLink = regexp.MustCompile(`/v1/reservations/INK-[0-9A-Z]{6}/manage\?expires=[0-9]+&signature=[A-Za-z0-9_-]+`)

// A guest who lost their token: a lookup answers the same 202 whether or
// not it matches; the one that matches brings the link by mail, through
// the outbox sweep, the queue and the worker; the link's cancel cancels,
// and the cancellation mail follows.
func TestLostLinkArrivesAndCancels(t *testing.T) {
	mp := testenv.StartMailpit(t)
	clk := &clock.Clock{}
	s, log := startStack(t, func(o *Options) { o.SMTPAddr, o.Clock = mp.SMTPAddr, clk })
	ref, token := book(t, s, false, 50, "lookup-1")
	mp.WaitFor(t, "Booking confirmed: "+ref, 1, 10*time.Second)

	hit := call(t, "POST", s.URL+"/v1/reservations/lookup", map[string]any{"reference": ref, "email": "ANA@example.com"})
	miss := call(t, "POST", s.URL+"/v1/reservations/lookup", map[string]any{"reference": ref, "email": "eve@example.com"})
	if hit.status != 202 || miss.status != 202 || !reflect.DeepEqual(hit.body, miss.body) {
		t.Fatalf("lookups answered %d %v and %d %v", hit.status, hit.body, miss.status, miss.body)
	}
	// The lookup waits for the sweep, which runs each minute of the
	// devstack's clock.
	subject := "The link to your booking: " + ref
	for i := 0; mp.Count(t, subject) == 0; i++ {
		if i == 30 {
			t.Fatalf("no link mail after the clock moved %d minutes\n%s", 2*i, log.String())
		}
		clk.Advance(2 * time.Minute)
		time.Sleep(time.Second)
	}
	var link string
	for _, m := range mp.Messages(t) {
		if strings.Contains(m.Subject, subject) {
			if len(m.To) != 1 || !strings.EqualFold(m.To[0].Address, "ana@example.com") {
				t.Fatalf("the link went to %v", m.To)
			}
			text, _ := mp.Body(t, m.ID)
			link = manageLink.FindString(text)
		}
	}
	if link == "" {
		t.Fatal("no manage link in the mail")
	}
	if r := call(t, "GET", s.URL+link, nil); r.status != 200 {
		t.Fatalf("the link opens with %d %v", r.status, r.body)
	}
	cancel := strings.Replace(link, "/manage?", "/manage/cancel?", 1)
	r := call(t, "POST", s.URL+cancel, nil, "Idempotency-Key", "lookup-2")
	if r.status != 200 || r.body["reservation"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("cancel by link: %d %v", r.status, r.body)
	}
	got := call(t, "GET", s.URL+"/v1/reservations/"+ref, nil, "Authorization", "Bearer "+token)
	if got.body["reservation"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("after the link's cancel: %v", got.body)
	}
	mp.WaitFor(t, "Booking cancelled: "+ref, 1, 10*time.Second)
	if n := mp.Count(t, "The link to your booking"); n != 1 {
		t.Errorf("%d link mails for one matching lookup, want 1", n)
	}
}
