package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
)

// The messages pushed to clients. Each is a small JSON document with a
// type.

// AvailabilityChanged tells a hotel's watchers what a room type has left.
type AvailabilityChanged struct {
	Type      string   `json:"type"` // availability.changed
	Hotel     string   `json:"hotel"`
	RoomType  string   `json:"room_type"`
	Nights    []string `json:"nights"`
	UnitsLeft int      `json:"units_left"`
}

// ReservationUpdated tells a guest their booking's status.
type ReservationUpdated struct {
	Type      string `json:"type"` // reservation.updated
	Reference string `json:"reference"`
	Status    string `json:"status"`
}

// BookingCreated tells staff of a new booking at their hotel.
type BookingCreated struct {
	Type      string `json:"type"` // booking.created
	Hotel     string `json:"hotel"`
	Reference string `json:"reference"`
	RoomType  string `json:"room_type"`
	CheckIn   string `json:"check_in"`
	CheckOut  string `json:"check_out"`
	Rooms     int    `json:"rooms"`
}

// ReservationChanged tells staff that one of their hotel's bookings
// changed at the desk or by the guest: checked in or out, a no-show,
// cancelled or modified. Event is the outbox event's type; Status stays
// as it was for a modification, whose Previous is the stay it replaced.
type ReservationChanged struct {
	Type      string           `json:"type"` // reservation.changed
	Hotel     string           `json:"hotel"`
	Reference string           `json:"reference"`
	Event     string           `json:"event"`
	Status    string           `json:"status"`
	RoomType  string           `json:"room_type"`
	CheckIn   string           `json:"check_in"`
	CheckOut  string           `json:"check_out"`
	Rooms     int              `json:"rooms"`
	Previous  *booking.StayRef `json:"previous,omitempty"`
}

// staffChanges are the event types staff hear of as ReservationChanged;
// a new booking is BookingCreated, and a hold's own life (held, expired)
// is not the front desk's business.
var staffChanges = map[string]bool{
	"reservation.checked_in":  true,
	"reservation.checked_out": true,
	"reservation.no_show":     true,
	"reservation.cancelled":   true,
	booking.EventModified:     true,
}

// UnitsLeft is what a room type has left over the nights an event
// touches: Stay over its stay's, and Previous over the stay a
// modification replaced (ev.Previous; unused otherwise).
type UnitsLeft struct {
	Stay, Previous int
}

// Frame is a reply to a client's own frame: subscribed, unsubscribed,
// pong, or error.
type Frame struct {
	Type    string `json:"type"`
	Topic   string `json:"topic,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Poster is the part of the API Gateway Management API client pushes use.
type Poster interface {
	PostToConnection(ctx context.Context, in *apigatewaymanagementapi.PostToConnectionInput, opts ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error)
}

// Pusher sends messages to connections through the management API.
type Pusher struct {
	Hub *Hub
	// Client is the @connections API; nil where the function cannot
	// reach it (no WS_MANAGEMENT_ENDPOINT): then nothing is sent.
	Client Poster
	// Keys checks the keys of staff subscribers before each fan-out
	// (keys.go); nil checks nothing.
	Keys Keys
	// Parallel posts at most at once in a fan-out; 16 if 0.
	Parallel int
	Log      *slog.Logger
}

// ErrGone means the connection no longer exists; its records are removed.
var ErrGone = errors.New("realtime: connection gone")

// ErrNoClient means the pusher has no @connections client to send with.
var ErrNoClient = errors.New("realtime: no @connections endpoint")

// Send posts msg to one connection. A connection API Gateway says is gone
// (410) is forgotten with its subscriptions.
func (p *Pusher) Send(ctx context.Context, id string, msg any) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("realtime: encode: %w", err)
	}
	return p.post(ctx, id, data)
}

func (p *Pusher) post(ctx context.Context, id string, data []byte) error {
	if p.Client == nil {
		return ErrNoClient
	}
	_, err := p.Client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: data})
	if err == nil {
		// Billed as a WebSocket message (per 32 KB) once API Gateway
		// took it; a refused or failed post is not counted.
		meter.From(ctx).Pushed(len(data))
	}
	var gone *types.GoneException
	if errors.As(err, &gone) {
		if derr := p.Hub.Disconnect(ctx, id); derr != nil {
			p.Log.WarnContext(ctx, "forgetting a gone connection failed", slog.String("connection_id", id), slog.String("error", derr.Error()))
		}
		return ErrGone
	}
	if err != nil {
		return fmt.Errorf("realtime: post to %s: %w", id, err)
	}
	return nil
}

// Fanout is what a broadcast did.
type Fanout struct {
	Sent, Gone, Failed int
	// Revoked are staff subscribers skipped because their key was
	// revoked or expired (or could not be checked).
	Revoked int
}

// Broadcast posts msg to every subscriber of topic, Parallel at a time.
func (p *Pusher) Broadcast(ctx context.Context, topic string, msg any) (Fanout, error) {
	var f Fanout
	ids, err := p.Hub.Subscribers(ctx, topic)
	if err != nil || len(ids) == 0 {
		return f, err
	}
	ids, f.Revoked, err = p.liveOnly(ctx, ids)
	if err != nil || len(ids) == 0 {
		return f, err
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return f, fmt.Errorf("realtime: encode: %w", err)
	}
	parallel := p.Parallel
	if parallel <= 0 {
		parallel = 16
	}
	var sent, gone, failed atomic.Int64
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var stopped error
	for _, id := range ids {
		// Past the caller's deadline, the remaining subscribers are not
		// tried: each post would only fail and log.
		if stopped = ctx.Err(); stopped == nil {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				stopped = ctx.Err()
			}
		}
		if stopped != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			switch err := p.post(ctx, id, data); {
			case err == nil:
				sent.Add(1)
			case errors.Is(err, ErrGone):
				gone.Add(1)
			default:
				failed.Add(1)
				p.Log.WarnContext(ctx, "push failed", slog.String("connection_id", id), slog.String("error", err.Error()))
			}
		}()
	}
	wg.Wait()
	f = Fanout{Sent: int(sent.Load()), Gone: int(gone.Load()), Failed: int(failed.Load()), Revoked: f.Revoked}
	p.Log.InfoContext(ctx, "broadcast", slog.String("topic", topic), slog.Int("sent", f.Sent), slog.Int("gone", f.Gone), slog.Int("failed", f.Failed))
	if stopped != nil {
		return f, fmt.Errorf("realtime: broadcast to %s stopped after %d of %d: %w", topic, f.Sent+f.Gone+f.Failed, len(ids), stopped)
	}
	return f, nil
}

// nightsOf lists a stay's nights. No booking is longer than MaxNights:
// a longer stay is a malformed event, and listing its nights could take
// millions of them.
func nightsOf(ev booking.Event, in, out booking.Date) ([]string, error) {
	if n := in.DaysUntil(out); n > booking.MaxNights {
		return nil, fmt.Errorf("realtime: announce %s: a stay of %d nights", ev.Reference, n)
	}
	var nights []string
	for d := in; d.Before(out); d = d.AddDays(1) {
		nights = append(nights, d.String())
	}
	return nights, nil
}

// Announce pushes what a reservation event means to each audience:
// the hotel's watchers learn the room type's units left over the stay's
// nights (and, for a modification, over the nights it gave back), the
// guest their booking's status, and staff a new booking or a change to
// one (staffChanges).
func (p *Pusher) Announce(ctx context.Context, ev booking.Event, left UnitsLeft) error {
	nights, err := nightsOf(ev, ev.CheckIn, ev.CheckOut)
	if err != nil {
		return err
	}
	var previous []string
	if ev.Previous != nil {
		if previous, err = nightsOf(ev, ev.Previous.CheckIn, ev.Previous.CheckOut); err != nil {
			return err
		}
	}
	var errs []error
	if ev.Type != "reservation.reminder" {
		_, err := p.Broadcast(ctx, AvailabilityTopic(ev.HotelSlug), AvailabilityChanged{
			Type: "availability.changed", Hotel: ev.HotelSlug, RoomType: ev.RoomType, Nights: nights, UnitsLeft: left.Stay,
		})
		errs = append(errs, err)
		if ev.Previous != nil {
			_, err := p.Broadcast(ctx, AvailabilityTopic(ev.HotelSlug), AvailabilityChanged{
				Type: "availability.changed", Hotel: ev.HotelSlug, RoomType: ev.Previous.RoomType, Nights: previous, UnitsLeft: left.Previous,
			})
			errs = append(errs, err)
		}
		_, err = p.Broadcast(ctx, ReservationTopic(ev.Reference), ReservationUpdated{
			Type: "reservation.updated", Reference: ev.Reference, Status: string(ev.Status),
		})
		errs = append(errs, err)
	}
	if ev.Type == "reservation.confirmed" {
		_, err := p.Broadcast(ctx, BookingsTopic(ev.HotelSlug), BookingCreated{
			Type: "booking.created", Hotel: ev.HotelSlug, Reference: ev.Reference, RoomType: ev.RoomType,
			CheckIn: ev.CheckIn.String(), CheckOut: ev.CheckOut.String(), Rooms: ev.Rooms,
		})
		errs = append(errs, err)
	}
	if staffChanges[ev.Type] {
		_, err := p.Broadcast(ctx, BookingsTopic(ev.HotelSlug), ReservationChanged{
			Type: "reservation.changed", Hotel: ev.HotelSlug, Reference: ev.Reference, Event: ev.Type,
			Status: string(ev.Status), RoomType: ev.RoomType, CheckIn: ev.CheckIn.String(), CheckOut: ev.CheckOut.String(),
			Rooms: ev.Rooms, Previous: ev.Previous,
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Client is the API Gateway Management API client for endpoint (the
// WebSocket API's https://…/{stage} URL).
func Client(cfg aws.Config, endpoint string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// Actions are the IAM actions each call of the @connections client
// needs, by call: the infra tests check that every function making a
// call has them.
var Actions = map[string][]string{
	"PostToConnection": {"execute-api:ManageConnections"},
	"DeleteConnection": {"execute-api:ManageConnections"},
}
