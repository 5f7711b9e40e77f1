package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"slices"
	"strings"

	"innkeeper/shared/booking"
	"innkeeper/shared/mail"
)

// A booking of several rooms (booking.Booking) writes one event per
// line, each naming the booking. The guest gets one confirmation (or
// hold) for the booking, listing its rooms, and the desk one note: sent
// for the event of the booking's first line, recorded as sent against
// that line, and left out of the other lines' events. What happens to a
// line later (a cancellation, a change) is that line's own email.

// bookingKinds are the notifications sent once per booking rather than
// once per line.
var bookingKinds = map[Kind]bool{Confirmation: true, Hold: true, StaffBooking: true}

// Bookings reads a booking of several rooms with its lines; package
// store implements it. A Store that does not sends each line's emails
// on its own.
type Bookings interface {
	Booking(ctx context.Context, reference string) (booking.Booking, error)
}

// LineDetails is one room of a booking, as its email lists it.
type LineDetails struct {
	Line               int
	Reference          string
	RoomType, RatePlan string
	Adults, Children   int
	Total              string
	ManageURL          string
}

// ofBooking reads the booking ev's line belongs to and returns the kinds
// this line's event still sends: the booking's own only with its first
// line's event. A Store without bookings leaves kinds as they are.
func (n *Notifier) ofBooking(ctx context.Context, ev booking.Event, r booking.Reservation, kinds []Kind) ([]Kind, *booking.Booking, error) {
	bs, ok := n.store.(Bookings)
	if !ok {
		return kinds, nil, nil
	}
	if r.Line == 1 {
		// Only the first line's event reads the booking, to list it.
		b, err := bs.Booking(ctx, ev.Booking)
		if err != nil {
			return nil, nil, fmt.Errorf("notify: booking %s of %s: %w", ev.Booking, ev.Reference, err)
		}
		return kinds, &b, nil
	}
	kept := slices.DeleteFunc(slices.Clone(kinds), func(k Kind) bool { return bookingKinds[k] })
	if len(kept) < len(kinds) {
		n.log.InfoContext(ctx, "notification sent with the booking", slog.String("reference", r.Reference),
			slog.String("booking", ev.Booking), slog.String("event", ev.Type))
	}
	return kept, nil, nil
}

// ComposeBooking renders one notification for a booking of several
// rooms: the stay and the guest once, then each room with its own
// reference, guests, rate and total, and the booking's total.
func (n *Notifier) ComposeBooking(kind Kind, b booking.Booking, h booking.HotelDetail) (mail.Message, error) {
	if len(b.Lines) == 0 {
		return mail.Message{}, fmt.Errorf("notify: booking %s has no lines", b.Reference)
	}
	first := b.Lines[0]
	d := n.details(kind, first, h)
	d.Reference, d.ManageURL = b.Reference, ""
	d.Rooms, d.Adults, d.Children = 0, 0, 0
	prices := make([]booking.Price, 0, len(b.Lines))
	for _, l := range b.Lines {
		prices = append(prices, l.Price)
		ld := n.details(kind, l, h)
		d.Rooms += l.Rooms
		d.Adults += l.Adults
		d.Children += l.Children
		d.Lines = append(d.Lines, LineDetails{Line: l.Line, Reference: l.Reference, RoomType: ld.RoomType,
			RatePlan: ld.RatePlan, Adults: l.Adults, Children: l.Children, Total: ld.Total, ManageURL: ld.ManageURL})
	}
	d.Total = Money(b.TotalCents(), b.Currency)
	d.setPrice(addPrices(b.Currency, prices))
	d.Subject = subject(kind, d)
	var text, html bytes.Buffer
	if err := n.tpl.text[kind].Execute(&text, d); err != nil {
		return mail.Message{}, fmt.Errorf("notify: render %s text: %w", kind, err)
	}
	if err := n.tpl.html[kind].ExecuteTemplate(&html, "layout", d); err != nil {
		return mail.Message{}, fmt.Errorf("notify: render %s html: %w", kind, err)
	}
	to := []string{(&netmail.Address{Name: b.Guest.Name, Address: b.Guest.Email}).String()}
	if kind == StaffBooking {
		to = []string{n.cfg.StaffTo}
	}
	return mail.Message{
		From: n.cfg.From, To: to, Subject: d.Subject,
		Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String(),
		ID:      fmt.Sprintf("%s.%s@innkeeper", strings.ToLower(b.Reference), kind),
		Headers: map[string]string{"X-Innkeeper-Kind": string(kind), "X-Innkeeper-Reference": b.Reference},
	}, nil
}
