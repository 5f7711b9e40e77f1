// Package notify turns reservation events into the emails they call for,
// and sends each one once: a confirmation, a hold with its expiry, a
// cancellation with its fee, an expired hold, an arrival reminder, a
// change of booking (once per change), and a note to staff for every new
// booking. Bodies come from templates, in plain text and HTML, with dates
// in the hotel's time zone, the price line by line in its currency (the
// rooms, each tax and fee, the total, and what is paid at the hotel
// apart) and a signed link to manage the booking.
package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/mail"
	"innkeeper/shared/meter"
)

// Kind is a kind of notification; each is sent at most once per
// reservation.
type Kind string

// The notifications.
const (
	Confirmation Kind = "confirmation"
	Hold         Kind = "hold"
	Cancellation Kind = "cancellation"
	Expired      Kind = "expired"
	Reminder     Kind = "reminder"
	StaffBooking Kind = "staff-booking"
	// AccessLink answers a guest's lookup with the signed manage link;
	// it is sent once per request rather than once per reservation.
	AccessLink Kind = "access-link"
	// Modification confirms a change of dates, room or guests; it is
	// sent once per modification rather than once per reservation.
	Modification Kind = "modification"
	// Refund tells a guest that a payment made after the hold had ended
	// was given back (booking.EventPaymentRefunded).
	Refund Kind = "refund"
)

// ErrUnknownEvent means an event type this package does not know: a
// malformed message, not a transient failure.
var ErrUnknownEvent = errors.New("notify: unknown event type")

// KindsFor is what an event type calls for.
func KindsFor(eventType string) ([]Kind, error) {
	switch eventType {
	case "reservation.confirmed":
		return []Kind{Confirmation, StaffBooking}, nil
	case "reservation.held":
		return []Kind{Hold}, nil
	case "reservation.cancelled":
		return []Kind{Cancellation}, nil
	case "reservation.expired":
		return []Kind{Expired}, nil
	case "reservation.reminder":
		return []Kind{Reminder}, nil
	case "reservation.checked_in", "reservation.checked_out", "reservation.no_show":
		// The front desk's changes go to the staff feed; no email.
		return nil, nil
	case booking.EventAccessRequested:
		return []Kind{AccessLink}, nil
	case booking.EventModified:
		return []Kind{Modification}, nil
	case booking.EventPaymentRefunded:
		return []Kind{Refund}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownEvent, eventType)
}

func subject(kind Kind, d Details) string {
	at := d.Reference + " at " + d.HotelName
	switch kind {
	case Confirmation:
		return "Booking confirmed: " + at
	case Hold:
		return "Room held until " + d.HoldExpiresAt + ": " + at
	case Cancellation:
		return "Booking cancelled: " + at
	case Expired:
		return "Hold ended: " + at
	case Reminder:
		return "See you soon: " + at
	case AccessLink:
		return "The link to your booking: " + at
	case Modification:
		return "Booking changed: " + at
	case Refund:
		return "Payment refunded: " + at
	default:
		return "New booking " + at
	}
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates are parsed once per process: one set per kind, each with the
// shared layout (HTML) or details block (text).
type templates struct {
	html map[Kind]*htmltemplate.Template
	text map[Kind]*texttemplate.Template
}

var files = map[Kind]string{
	Confirmation: "confirmation", Hold: "hold", Cancellation: "cancellation",
	Expired: "expired", Reminder: "reminder", StaffBooking: "staff",
	AccessLink: "access", Modification: "modification", Refund: "refund",
}

func parseTemplates() (templates, error) {
	t := templates{html: map[Kind]*htmltemplate.Template{}, text: map[Kind]*texttemplate.Template{}}
	for kind, name := range files {
		h, err := htmltemplate.ParseFS(templateFS, "templates/layout.html.tmpl", "templates/"+name+".html.tmpl")
		if err != nil {
			return t, fmt.Errorf("notify: parse %s.html: %w", name, err)
		}
		x, err := texttemplate.ParseFS(templateFS, "templates/"+name+".txt.tmpl", "templates/details.txt.tmpl")
		if err != nil {
			return t, fmt.Errorf("notify: parse %s.txt: %w", name, err)
		}
		t.html[kind], t.text[kind] = h, x
	}
	return t, nil
}

// Details is what the templates show.
type Details struct {
	Subject            string
	Reference          string
	HotelName, City    string
	Timezone           string
	GuestName          string
	GuestEmail         string
	GuestPhone         string
	CheckIn, CheckOut  string
	CheckInTime        string
	Nights             int
	Rooms              int
	Adults, Children   int
	RoomType, RatePlan string
	// RoomsTotal is the rooms' price; Charges the taxes and fees added
	// to it, Total what the booking costs (Price.TotalCents); Included
	// the taxes inside the rooms' price (VAT), shown not added; AtHotel
	// what is paid at the hotel apart, PayAtHotel its sum.
	RoomsTotal            string
	Charges               []Line
	Total                 string
	Included              []Line
	AtHotel               []Line
	PayAtHotel            string
	HasFee                bool
	Fee                   string
	HoldExpiresAt         string
	FreeCancellationUntil string
	ManageURL             string
	// Lines, for a booking of several rooms (booking.go), list its
	// rooms; Reference is then the booking's.
	Lines []LineDetails
}

// Line is one tax or fee of a price as an email shows it: "Sales tax
// (8.875%)", "Taxa turística (6 × € 4.00)", and its amount.
type Line struct {
	Label  string
	Amount string
}

// priceLines sorts a price's lines into those added to the rooms, those
// included in them and those paid at the hotel, as the emails show them.
func priceLines(p booking.Price) (added, included, atHotel []Line) {
	for _, l := range p.Lines {
		detail := l.Percent + "%"
		if l.Kind != booking.TaxPercent {
			detail = fmt.Sprintf("%d × %s", l.Quantity, Money(l.UnitCents, p.Currency))
		}
		line := Line{Label: l.Name + " (" + detail + ")", Amount: Money(l.AmountCents, p.Currency)}
		switch {
		case l.Included:
			included = append(included, line)
		case l.PayAtHotel:
			atHotel = append(atHotel, line)
		default:
			added = append(added, line)
		}
	}
	return added, included, atHotel
}

// setPrice shows price line by line: the rooms, the charges added, the
// taxes included and what is paid at the hotel.
func (d *Details) setPrice(price booking.Price) {
	d.RoomsTotal = Money(price.RoomCents, price.Currency)
	d.Charges, d.Included, d.AtHotel = priceLines(price)
	d.PayAtHotel = ""
	if len(d.AtHotel) > 0 {
		d.PayAtHotel = Money(price.PayAtHotelCents, price.Currency)
	}
}

// addPrices is the price of several rooms booked together: the sums of
// their rooms and totals, and each tax or fee once, its quantities and
// amounts summed across the rooms where it is the same charge (same
// code, rate and treatment). Each room's line was rounded on its own,
// so the sum is what the rooms were charged, never a re-rounding.
func addPrices(currency string, prices []booking.Price) booking.Price {
	sum := booking.Price{Currency: currency, Lines: []booking.PriceLine{}}
	at := map[booking.PriceLine]int{}
	for _, p := range prices {
		sum.RoomCents += p.RoomCents
		sum.TotalCents += p.TotalCents
		sum.PayAtHotelCents += p.PayAtHotelCents
		sum.GrandTotalCents += p.GrandTotalCents
		for _, l := range p.Lines {
			key := booking.PriceLine{Code: l.Code, Name: l.Name, Kind: l.Kind, Percent: l.Percent,
				UnitCents: l.UnitCents, Included: l.Included, PayAtHotel: l.PayAtHotel}
			i, ok := at[key]
			if !ok {
				at[key] = len(sum.Lines)
				sum.Lines = append(sum.Lines, l)
				continue
			}
			sum.Lines[i].Quantity += l.Quantity
			sum.Lines[i].BaseCents += l.BaseCents
			sum.Lines[i].AmountCents += l.AmountCents
		}
	}
	return sum
}

// Config is what the notifier needs beyond its collaborators.
type Config struct {
	From    string
	StaffTo string
	// AppURL and AppKey make the signed manage link.
	AppURL string
	AppKey string
	// LinkValidity counts from check-out.
	LinkValidity time.Duration
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Store is the persistence the notifier needs; package store implements
// it on PostgreSQL.
type Store interface {
	// Reservation returns booking.ErrNotFound for an unknown reference.
	Reservation(ctx context.Context, reference string) (booking.Reservation, error)
	HotelDetail(ctx context.Context, slug string) (booking.HotelDetail, error)
	// SendOnce calls send unless the notification (reservationID, kind)
	// was sent before, records it as sent if send succeeds, and reports
	// whether it sent it now. A failed send is recorded as nothing, so a
	// retry sends it.
	SendOnce(ctx context.Context, reservationID int64, kind, messageID string, send func(context.Context) error) (sent bool, err error)
}

// Notifier sends the notifications of reservation events.
type Notifier struct {
	store  Store
	sender mail.Sender
	cfg    Config
	tpl    templates
	log    *slog.Logger
}

// New builds a notifier; it fails if a template does not parse.
func New(st Store, sender mail.Sender, cfg Config, log *slog.Logger) (*Notifier, error) {
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	if cfg.LinkValidity == 0 {
		cfg.LinkValidity = 7 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{store: st, sender: sender, cfg: cfg, tpl: tpl, log: log}, nil
}

// Handle sends what the event calls for, each notification once. Sent
// before is not an error; a failure to send is, and the event should come
// back.
func (n *Notifier) Handle(ctx context.Context, ev booking.Event) error {
	kinds, err := KindsFor(ev.Type)
	if err != nil || len(kinds) == 0 {
		return err
	}
	if !booking.ValidReference(ev.Reference) {
		return fmt.Errorf("%w: reference %q", ErrUnknownEvent, ev.Reference)
	}
	r, err := n.store.Reservation(ctx, ev.Reference)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", ev.Reference, err)
	}
	var b *booking.Booking
	if ev.Booking != "" {
		if kinds, b, err = n.ofBooking(ctx, ev, r, kinds); err != nil {
			return err
		}
	}
	if !current(ev, r, n.cfg.Now()) {
		// The reservation moved on before this event was handled (a hold
		// confirmed before its hold email went out): the mail would be
		// wrong now, and the later event sends the right one.
		n.log.InfoContext(ctx, "stale event skipped", slog.String("reference", r.Reference),
			slog.String("event", ev.Type), slog.String("status", string(r.Status)))
		return nil
	}
	h, err := n.store.HotelDetail(ctx, r.HotelSlug)
	if err != nil {
		return fmt.Errorf("notify: hotel of %s: %w", ev.Reference, err)
	}
	var errs []error
	for _, kind := range kinds {
		var m mail.Message
		if b != nil && bookingKinds[kind] {
			m, err = n.ComposeBooking(kind, *b, h)
		} else {
			m, err = n.Compose(kind, r, h)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		once := string(kind)
		if kind == AccessLink || kind == Modification {
			// Once per lookup or modification, not per reservation: a
			// guest may lose the link again, or change the booking again.
			// The event's instant tells a redelivery of the same event
			// from a new one: it is the instant its transaction wrote,
			// and two modifications of one reservation hold its row lock
			// in turn, so they cannot share a microsecond unless the
			// clock stands still (a modification counter would need a
			// column for nothing else).
			stamp := ev.OccurredAt.UnixMicro()
			once = fmt.Sprintf("%s:%d", kind, stamp)
			m.ID = fmt.Sprintf("%s.%s.%d@innkeeper", strings.ToLower(r.Reference), kind, stamp)
		}
		sent, err := n.store.SendOnce(ctx, r.ID, once, m.ID, func(ctx context.Context) error {
			return n.sender.Send(ctx, m)
		})
		switch {
		case err != nil:
			errs = append(errs, err)
		case !sent:
			n.log.InfoContext(ctx, "notification already sent", slog.String("reference", r.Reference), slog.String("kind", string(kind)))
		default:
			meter.From(ctx).Emails(1)
			n.log.InfoContext(ctx, "notification sent", slog.String("reference", r.Reference), slog.String("kind", string(kind)))
		}
	}
	return errors.Join(errs...)
}

// current reports whether the event still describes the reservation at
// instant now: a hold whose time is up is no news to announce either.
func current(ev booking.Event, r booking.Reservation, now time.Time) bool {
	switch {
	case ev.Type == booking.EventAccessRequested:
		return true // a link is news whatever the booking's state
	case ev.Type == "reservation.reminder":
		return r.Status == booking.StatusConfirmed
	case r.Status == booking.StatusHeld && r.HoldExpiresAt != nil && !now.Before(*r.HoldExpiresAt):
		return false
	}
	return ev.Status == "" || ev.Status == r.Status
}

// Compose renders one notification for r.
func (n *Notifier) Compose(kind Kind, r booking.Reservation, h booking.HotelDetail) (mail.Message, error) {
	d := n.details(kind, r, h)
	var text, html bytes.Buffer
	if err := n.tpl.text[kind].Execute(&text, d); err != nil {
		return mail.Message{}, fmt.Errorf("notify: render %s text: %w", kind, err)
	}
	if err := n.tpl.html[kind].ExecuteTemplate(&html, "layout", d); err != nil {
		return mail.Message{}, fmt.Errorf("notify: render %s html: %w", kind, err)
	}
	to := []string{(&netmail.Address{Name: r.Guest.Name, Address: r.Guest.Email}).String()}
	if kind == StaffBooking {
		to = []string{n.cfg.StaffTo}
	}
	return mail.Message{
		From: n.cfg.From, To: to, Subject: d.Subject,
		Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String(),
		ID:      fmt.Sprintf("%s.%s@innkeeper", strings.ToLower(r.Reference), kind),
		Headers: map[string]string{"X-Innkeeper-Kind": string(kind), "X-Innkeeper-Reference": r.Reference},
	}, nil
}

func (n *Notifier) details(kind Kind, r booking.Reservation, h booking.HotelDetail) Details {
	loc := h.Location()
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
	}
	day := func(d booking.Date) string { return d.Time().Format("Mon 2 Jan 2006") }
	d := Details{
		Reference: r.Reference, HotelName: h.Name, City: h.City, Timezone: h.Timezone,
		GuestName: r.Guest.Name, GuestEmail: r.Guest.Email, GuestPhone: r.Guest.Phone,
		CheckIn: day(r.CheckIn), CheckOut: day(r.CheckOut), CheckInTime: h.CheckInTime,
		Nights: r.Nights(), Rooms: r.Rooms, Adults: r.Adults, Children: r.Children,
		RoomType: r.RoomTypeCode, RatePlan: r.RatePlanCode,
		Total:         Money(r.TotalCents, r.Currency),
		HoldExpiresAt: when(r.HoldExpiresAt), FreeCancellationUntil: when(r.FreeCancellationUntil),
	}
	price := r.Price
	if price.Currency == "" {
		// A reservation without its price read (as one booked before
		// prices were kept): the rooms are the total.
		price = booking.RoomOnly(r.Currency, r.TotalCents)
	}
	d.setPrice(price)
	if rt, ok := h.RoomType(r.RoomTypeCode); ok {
		d.RoomType = rt.Name
	}
	if p, ok := h.RatePlan(r.RatePlanCode); ok {
		d.RatePlan = p.Name
	}
	if r.CancellationFeeCents != nil && *r.CancellationFeeCents > 0 {
		d.HasFee, d.Fee = true, Money(*r.CancellationFeeCents, r.Currency)
	}
	if kind != StaffBooking && n.cfg.AppURL != "" && n.cfg.AppKey != "" {
		d.ManageURL = ManageURL(n.cfg.AppURL, n.cfg.AppKey, r.Reference, r.CheckOut.Time().Add(n.cfg.LinkValidity))
	}
	d.Subject = subject(kind, d)
	return d
}

// ManageURL is the signed link that opens a booking without its token.
func ManageURL(appURL, key, reference string, expires time.Time) string {
	return fmt.Sprintf("%s/v1/reservations/%s/manage?expires=%d&signature=%s",
		appURL, reference, expires.Unix(), auth.SignLink(key, reference, expires))
}

// Money formats an amount in minor units in its currency, e.g. € 161.50,
// ¥ 57,800 (no minor unit) or KWD 1.500 (three).
func Money(minor int64, code string) string {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return fmt.Sprintf("%d %s (minor units)", minor, code)
	}
	scale, _ := currency.Standard.Rounding(unit)
	div := 1.0
	for range scale {
		div *= 10
	}
	return message.NewPrinter(language.English).Sprint(currency.Symbol(unit.Amount(float64(minor) / div)))
}
