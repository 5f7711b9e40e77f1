package booking

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Date is a calendar day without a time zone, as hotels count nights.
// The zero Date is invalid.
type Date struct{ t time.Time }

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses YYYY-MM-DD and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 {
		return Date{}, fmt.Errorf("booking: date %q: want YYYY-MM-DD", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("booking: date %q: not a real date", s)
	}
	if t.IsZero() {
		// 0001-01-01 is the zero Date, which means unset: taking it would
		// turn a date that was given into one that is missing.
		return Date{}, fmt.Errorf("booking: date %q: out of range", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for constants in tests and seeds.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time is midnight UTC of d, the form the database driver takes.
func (d Date) Time() time.Time { return d.t }

// Year, Month and Day of the date.
func (d Date) Year() int { return d.t.Year() }

// Month of the date.
func (d Date) Month() time.Month { return d.t.Month() }

// Day of the month.
func (d Date) Day() int { return d.t.Day() }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns the date n months later, normalised like time.AddDate.
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// DaysUntil is the number of nights from d to e.
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return d.t.AppendFormat([]byte{'"'}, `2006-01-02"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("booking: date: want a string YYYY-MM-DD")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Limits on what a guest may ask for.
const (
	MaxNights       = 30
	MaxRooms        = 9
	MaxGuests       = 40
	MaxMonthsAhead  = 18
	HoldTTL         = 15 * time.Minute
	MaxRangeDays    = 750 // longest inventory or rate range a staff call may set
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Stay is what a guest asks for: dates and occupancy.
type Stay struct {
	CheckIn  Date
	CheckOut Date
	Adults   int
	Children int
	// ChildrenAges is each child's age in years on check-in, when given;
	// when given, its length is Children.
	ChildrenAges []int
	Rooms        int
}

// Equal reports whether s and t are the same stay, children's ages
// included.
func (s Stay) Equal(t Stay) bool {
	return s.CheckIn == t.CheckIn && s.CheckOut == t.CheckOut && s.Adults == t.Adults &&
		s.Children == t.Children && s.Rooms == t.Rooms && slices.Equal(s.ChildrenAges, t.ChildrenAges)
}

// Nights is the number of nights of the stay.
func (s Stay) Nights() int { return s.CheckIn.DaysUntil(s.CheckOut) }

// Dates lists each night of the stay.
func (s Stay) Dates() []Date {
	n := s.Nights()
	out := make([]Date, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, s.CheckIn.AddDays(i))
	}
	return out
}

// Validate checks the stay against the calendar at the hotel: today is the
// hotel's local date.
func (s Stay) Validate(today Date) error {
	v := &ValidationError{}
	s.validateInto(v, today)
	return v.Err()
}

func (s Stay) validateInto(v *ValidationError, today Date) {
	if s.CheckIn.IsZero() {
		v.Add("check_in", "is required as YYYY-MM-DD")
	}
	if s.CheckOut.IsZero() {
		v.Add("check_out", "is required as YYYY-MM-DD")
	}
	if !s.CheckIn.IsZero() && !s.CheckOut.IsZero() {
		switch n := s.Nights(); {
		case n < 1:
			v.Add("check_out", "must be after check_in")
		case n > MaxNights:
			v.Add("check_out", fmt.Sprintf("stays are at most %d nights", MaxNights))
		}
	}
	if !s.CheckIn.IsZero() {
		if s.CheckIn.Before(today) {
			v.Add("check_in", "must not be in the past")
		} else if s.CheckIn.After(today.AddMonths(MaxMonthsAhead)) {
			v.Add("check_in", fmt.Sprintf("must be within %d months", MaxMonthsAhead))
		}
	}
	if s.Adults < 1 {
		v.Add("adults", "must be at least 1")
	} else if s.Adults > MaxGuests {
		v.Add("adults", fmt.Sprintf("must be at most %d", MaxGuests))
	}
	if s.Children < 0 {
		v.Add("children", "must not be negative")
	} else if s.Children > MaxGuests {
		v.Add("children", fmt.Sprintf("must be at most %d", MaxGuests))
	}
	if s.Rooms < 1 {
		v.Add("rooms", "must be at least 1")
	} else if s.Rooms > MaxRooms {
		v.Add("rooms", fmt.Sprintf("must be at most %d", MaxRooms))
	}
	if s.Rooms >= 1 && s.Adults >= 1 && s.Adults < s.Rooms {
		v.Add("adults", "every room needs at least one adult")
	}
	s.validateAgesInto(v)
}

// validateAgesInto checks the children's ages as given, without the
// hotel's bands (Stay.Party checks those): one per child, each a child's.
func (s Stay) validateAgesInto(v *ValidationError) {
	if s.ChildrenAges == nil {
		return
	}
	if len(s.ChildrenAges) != s.Children {
		v.Add("children_ages", fmt.Sprintf("lists %d ages for %d children", len(s.ChildrenAges), s.Children))
		return
	}
	for _, age := range s.ChildrenAges {
		if age < 0 || age > MaxChildAge {
			v.Add("children_ages", fmt.Sprintf("each age must be a whole number from 0 to %d", MaxChildAge))
			return
		}
	}
}

// Fits reports whether the stay's guests fit into its rooms of type rt.
func (s Stay) Fits(rt RoomType) bool {
	return s.Adults <= rt.MaxAdults*s.Rooms && s.Children <= rt.MaxChildren*s.Rooms && s.Adults >= s.Rooms
}

// occupancyError explains why the stay does not fit rt.
func (s Stay) occupancyError(rt RoomType) error {
	v := &ValidationError{}
	if s.Adults > rt.MaxAdults*s.Rooms {
		v.Add("adults", fmt.Sprintf("room type %s takes at most %d adults per room", rt.Code, rt.MaxAdults))
	}
	if s.Children > rt.MaxChildren*s.Rooms {
		v.Add("children", fmt.Sprintf("room type %s takes at most %d children per room", rt.Code, rt.MaxChildren))
	}
	if v.Err() == nil {
		v.Add("rooms", "every room needs at least one adult")
	}
	return v
}

// DateRange is a half-open range of nights [From, To) a staff call sets.
type DateRange struct {
	From Date
	To   Date
}

// Validate checks that the range is non-empty and not absurdly long.
func (r DateRange) Validate(v *ValidationError) {
	if r.From.IsZero() {
		v.Add("from", "is required as YYYY-MM-DD")
	}
	if r.To.IsZero() {
		v.Add("to", "is required as YYYY-MM-DD")
	}
	if !r.From.IsZero() && !r.To.IsZero() {
		if n := r.From.DaysUntil(r.To); n < 1 {
			v.Add("to", "must be after from (to is exclusive)")
		} else if n > MaxRangeDays {
			v.Add("to", fmt.Sprintf("a range covers at most %d nights", MaxRangeDays))
		}
	}
}
