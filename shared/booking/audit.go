package booking

import (
	"context"
	"fmt"
	"time"

	"innkeeper/shared/auth"
)

// The kinds of actor of the audit trail (audit_events.actor_kind) beside
// ActorGuest, and the actors that are not API keys.
const (
	ActorAPIKey = "api_key"
	ActorSystem = "system"
	ActorJob    = "job"
	// ActorAccessToken names a guest who acted with the access token
	// their booking returned: the token itself is never recorded. A
	// booking is made by the guest who receives it.
	ActorAccessToken = "access-token"
	// ActorExpireHolds is the job that expires holds past their time.
	ActorExpireHolds = "expire-holds"
	// ActorSeed is the system loading known data: the demo catalogue and
	// the fixed keys of local stacks and tests.
	ActorSeed = "seed"
	// ActorAdminKey is the deployer making a stage's first admin key
	// through the migrate function (make admin-key, shared/provision).
	ActorAdminKey = "admin-key"
)

// Audit actions beside the front desk's (reservation.<action>) and the
// catalogue edits (edit.go).
const (
	ActionReservationCreate = "reservation.create"
	ActionReservationExpire = "reservation.expire"
	ActionHotelCreate       = "hotel.create"
	ActionRoomTypeCreate    = "room_type.create"
	ActionRatePlanCreate    = "rate_plan.create"
	ActionInventorySet      = "inventory.set"
	ActionRateSet           = "rate.set"
	ActionRestrictionSet    = "restriction.set"
	ActionAgeBandsSet       = "age_bands.set"
	ActionTaxesSet          = "taxes.set"
	ActionAPIKeyCreate      = "api_key.create"
	ActionAPIKeyRevoke      = "api_key.revoke"
)

// ByKey is the actor of a write an API key asked for.
func ByKey(k auth.Key, requestID string) Audit {
	return Audit{ActorKind: ActorAPIKey, Actor: k.PublicID, ActorRole: string(k.Role), RequestID: requestID}
}

// BySystem is the actor of a write the system makes on its own account,
// named by what in it acts (ActorSeed, …).
func BySystem(name string) Audit { return Audit{ActorKind: ActorSystem, Actor: name} }

// Audit is the actor of the edit, for the audit trail's one writer of
// catalogue rows.
func (e CatalogEdit) Audit() Audit {
	a := ByKey(e.Key, e.RequestID)
	a.Action = e.Action
	return a
}

// As is the actor a doing action.
func (a Audit) As(action string) Audit {
	a.Action = action
	return a
}

// RequestIDFrom sets how the Service finds the request id of a guest's
// command in its context, for the audit trail (staff commands carry it
// in their Audit). Unset, guest rows have none.
func (s *Service) RequestIDFrom(fn func(context.Context) string) { s.requestID = fn }

func (s *Service) guest(ctx context.Context, action string) *Audit {
	return s.guestAs(ctx, ActorAccessToken, action)
}

// guestAs is a guest acting through actor (the access token, the manage
// link), with the request id of ctx.
func (s *Service) guestAs(ctx context.Context, actor, action string) *Audit {
	a := Audit{ActorKind: ActorGuest, Actor: actor, Action: action}
	if s.requestID != nil {
		a.RequestID = s.requestID(ctx)
	}
	return &a
}

// AuditFilter selects rows of the audit trail, newest first, one page at
// a time. Zero fields select everything.
type AuditFilter struct {
	Hotel       string
	Reservation string
	Actor       string
	Action      string
	// From and To bound the instant: From <= at < To.
	From, To time.Time
	Limit    int
	After    *AuditCursor
}

// AuditCursor marks the last row of a page (keyset pagination on the
// instant, then the row's id).
type AuditCursor struct {
	At time.Time
	ID int64
}

// AuditRow is an AuditEvent of the whole trail, with what it names.
type AuditRow struct {
	ID          int64
	Hotel       string
	Reservation string
	AuditEvent
}

// Check fills in the default page size and reports every invalid field
// of the filter at once.
func (f AuditFilter) Check() (AuditFilter, error) {
	v := &ValidationError{}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 1 || f.Limit > MaxPageSize:
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	// Each names something the trail can hold, by its shape: text that
	// nothing can match (a quote, a slash) is refused, not searched for.
	if f.Hotel != "" && !ValidSlug(f.Hotel) {
		v.Add("hotel", "must be a hotel's slug, such as lisbon-riverside")
	}
	if f.Reservation != "" && !ValidReference(f.Reservation) {
		v.Add("reservation", "must be a booking reference such as INK-7K3Q9P")
	}
	if f.Actor != "" && (len(f.Actor) > 200 || !onlyFrom(f.Actor, actorAlphabet)) {
		v.Add("actor", "must be an actor as the trail names them: an API key's public id, access-token, manage-link, a job's name, …")
	}
	if f.Action != "" && (len(f.Action) > 100 || !onlyFrom(f.Action, actionAlphabet)) {
		v.Add("action", "must be an action such as reservation.cancel or rate.set")
	}
	return f, v.Err()
}

// What actors and actions are made of.
const (
	actionAlphabet = "abcdefghijklmnopqrstuvwxyz_."
	actorAlphabet  = actionAlphabet + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-@:+"
)
