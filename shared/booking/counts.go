package booking

// ReservationCount is a number of reservations of a hotel in a status, or
// under the pseudo-status "created" for every reservation ever made. The
// store counts them; the metrics exposition (package promtext) shows them.
type ReservationCount struct {
	Hotel  string
	Status string
	Count  int64
}
