package httpapi

import (
	"net/http"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
)

// Catalogue edits: PATCH a hotel, room type or rate plan (only the fields
// sent change, under the rules of a new one), and archive or unarchive a
// hotel, room type or rate plan. Nothing in the catalogue is ever deleted: an
// archived item is no longer offered or bookable, and the reservations
// that name it keep working. Every edit is one audit row.

// catalogEdit is who is editing, for the audit trail.
func catalogEdit(r *http.Request) booking.CatalogEdit {
	k, _ := actingKey(r.Context())
	return booking.CatalogEdit{Key: k, RequestID: logging.RequestID(r.Context())}
}

// immutable refuses a key of the item sent in a patch body: slug and
// codes name the item in URLs and reservations, so they never change.
func immutable(v *booking.ValidationError, field string, sent *string) {
	if sent != nil {
		v.Add(field, "cannot be changed")
	}
}

type hotelPatchRequest struct {
	Slug        *string `json:"slug"`
	Name        *string `json:"name"`
	City        *string `json:"city"`
	Country     *string `json:"country"`
	Timezone    *string `json:"timezone"`
	Currency    *string `json:"currency"`
	CheckInTime *string `json:"check_in_time"`
	// NightAuditTime is when, in hotel time, the night audit closes the
	// day before ("03:00").
	NightAuditTime *string `json:"night_audit_time"`
	// The legal entity invoices name as the seller, and the prefix of
	// their numbers.
	LegalName     *string `json:"legal_name"`
	LegalAddress  *string `json:"legal_address"`
	TaxID         *string `json:"tax_id"`
	InvoicePrefix *string `json:"invoice_prefix"`
}

func (s *Server) updateHotel(w http.ResponseWriter, r *http.Request) {
	var req hotelPatchRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	immutable(v, "slug", req.Slug)
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.UpdateHotel(r.Context(), r.PathValue("slug"), booking.HotelPatch{
		Name: req.Name, City: req.City, Country: req.Country, Timezone: req.Timezone,
		Currency: req.Currency, CheckInTime: req.CheckInTime, NightAuditTime: req.NightAuditTime,
		LegalName: req.LegalName, LegalAddress: req.LegalAddress, TaxID: req.TaxID, InvoicePrefix: req.InvoicePrefix,
	}, catalogEdit(r))
	s.writeHotel(w, r, h, err)
}

func (s *Server) archiveHotel(w http.ResponseWriter, r *http.Request) {
	s.setHotelArchived(w, r, true)
}
func (s *Server) unarchiveHotel(w http.ResponseWriter, r *http.Request) {
	s.setHotelArchived(w, r, false)
}

func (s *Server) setHotelArchived(w http.ResponseWriter, r *http.Request, archive bool) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.ArchiveHotel(r.Context(), r.PathValue("slug"), archive, catalogEdit(r))
	s.writeHotel(w, r, h, err)
}

func (s *Server) writeHotel(w http.ResponseWriter, r *http.Request, h booking.Hotel, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Hotel editedHotelView `json:"hotel"`
	}{editedHotelView{viewHotel(h), h.CheckInTime, h.NightAuditTime, utcPtr(h.ArchivedAt), viewLegal(h)}})
}

type editedHotelView struct {
	hotelView
	CheckInTime    string `json:"check_in_time"`
	NightAuditTime string `json:"night_audit_time"`
	// ArchivedAt is shown to staff only: the public catalogue leaves an
	// archived hotel out.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	legalView
}

// legalView is a hotel's legal entity as staff see and set it.
type legalView struct {
	LegalName     string `json:"legal_name"`
	LegalAddress  string `json:"legal_address"`
	TaxID         string `json:"tax_id"`
	InvoicePrefix string `json:"invoice_prefix"`
}

func viewLegal(h booking.Hotel) legalView {
	return legalView{h.LegalName, h.LegalAddress, h.TaxID, h.InvoicePrefix}
}

type roomTypePatchRequest struct {
	Code        *string `json:"code"`
	Name        *string `json:"name"`
	MaxAdults   *int    `json:"max_adults"`
	MaxChildren *int    `json:"max_children"`
}

func (s *Server) updateRoomType(w http.ResponseWriter, r *http.Request) {
	var req roomTypePatchRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	immutable(v, "code", req.Code)
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := s.svc.UpdateRoomType(r.Context(), r.PathValue("slug"), r.PathValue("code"), booking.RoomTypePatch{
		Name: req.Name, MaxAdults: req.MaxAdults, MaxChildren: req.MaxChildren,
	}, catalogEdit(r))
	s.writeRoomType(w, r, rt, err)
}

func (s *Server) archiveRoomType(w http.ResponseWriter, r *http.Request) {
	s.setRoomTypeArchived(w, r, true)
}
func (s *Server) unarchiveRoomType(w http.ResponseWriter, r *http.Request) {
	s.setRoomTypeArchived(w, r, false)
}

func (s *Server) setRoomTypeArchived(w http.ResponseWriter, r *http.Request, archive bool) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := s.svc.ArchiveRoomType(r.Context(), r.PathValue("slug"), r.PathValue("code"), archive, catalogEdit(r))
	s.writeRoomType(w, r, rt, err)
}

func (s *Server) writeRoomType(w http.ResponseWriter, r *http.Request, rt booking.RoomType, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		RoomType roomTypeView `json:"room_type"`
	}{viewRoomType(rt)})
}

type ratePlanPatchRequest struct {
	Code                  *string `json:"code"`
	RoomType              *string `json:"room_type"`
	Name                  *string `json:"name"`
	Refundable            *bool   `json:"refundable"`
	FreeCancellationHours *int    `json:"free_cancellation_hours"`
	PenaltyPercent        *int    `json:"penalty_percent"`
	// Occupancy pricing; extra_child_cents replaces the whole map.
	BaseOccupancy                *int              `json:"base_occupancy"`
	ExtraAdultCents              *int64            `json:"extra_adult_cents"`
	ExtraChildCents              *map[string]int64 `json:"extra_child_cents"`
	SingleOccupancyDiscountCents *int64            `json:"single_occupancy_discount_cents"`
	// The payment policy; a policy other than deposit clears the
	// deposit's percent.
	PaymentPolicy  *string `json:"payment_policy"`
	DepositPercent *int    `json:"deposit_percent"`
}

func (s *Server) updateRatePlan(w http.ResponseWriter, r *http.Request) {
	var req ratePlanPatchRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	immutable(v, "code", req.Code)
	immutable(v, "room_type", req.RoomType)
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.UpdateRatePlan(r.Context(), r.PathValue("slug"), r.PathValue("code"), booking.RatePlanPatch{
		Name: req.Name, Refundable: req.Refundable,
		FreeCancellationHours: req.FreeCancellationHours, PenaltyPercent: req.PenaltyPercent,
		BaseOccupancy: req.BaseOccupancy, ExtraAdultCents: req.ExtraAdultCents,
		ExtraChildCents: req.ExtraChildCents, SingleOccupancyDiscountCents: req.SingleOccupancyDiscountCents,
		PaymentPolicy: req.PaymentPolicy, DepositPercent: req.DepositPercent,
	}, catalogEdit(r))
	s.writeRatePlan(w, r, p, err)
}

func (s *Server) archiveRatePlan(w http.ResponseWriter, r *http.Request) {
	s.setRatePlanArchived(w, r, true)
}
func (s *Server) unarchiveRatePlan(w http.ResponseWriter, r *http.Request) {
	s.setRatePlanArchived(w, r, false)
}

func (s *Server) setRatePlanArchived(w http.ResponseWriter, r *http.Request, archive bool) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.ArchiveRatePlan(r.Context(), r.PathValue("slug"), r.PathValue("code"), archive, catalogEdit(r))
	s.writeRatePlan(w, r, p, err)
}

func (s *Server) writeRatePlan(w http.ResponseWriter, r *http.Request, p booking.RatePlan, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		RatePlan ratePlanView `json:"rate_plan"`
	}{viewRatePlan(p)})
}
