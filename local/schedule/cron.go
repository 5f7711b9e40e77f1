package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cronSpec is a parsed cron expression: a set of allowed values per
// field, and the day rules, of which exactly one is "?" (any).
type cronSpec struct {
	minutes, hours, months, years valueSet
	dom                           dayOfMonth
	dow                           dayOfWeek
}

// valueSet holds small integers from base up to base+255.
type valueSet struct {
	base int
	bits [4]uint64
}

func (s *valueSet) add(v int) {
	v -= s.base
	s.bits[v>>6] |= 1 << (v & 63)
}

func (s valueSet) has(v int) bool {
	v -= s.base
	return v >= 0 && v < 256 && s.bits[v>>6]&(1<<(v&63)) != 0
}

// field describes one of the six fields of a cron expression.
type field struct {
	name     string
	min, max int
	// names stand for min, min+1, …: JAN–DEC, SUN–SAT.
	names []string
	// step: whether the / wildcard is allowed.
	step bool
}

// The fields, with the values and wildcards EventBridge documents. The
// documentation lists no / for day-of-week, so it is refused there.
var (
	minutesField = field{name: "minutes", min: 0, max: 59, step: true}
	hoursField   = field{name: "hours", min: 0, max: 23, step: true}
	domField     = field{name: "day-of-month", min: 1, max: 31, step: true}
	monthField   = field{name: "month", min: 1, max: 12, step: true,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	dowField = field{name: "day-of-week", min: 1, max: 7,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField = field{name: "year", min: 1970, max: 2199, step: true}
)

// domKind is what a day-of-month field says.
type domKind int

const (
	domAny         domKind = iota // ?
	domList                       // 1,15 or 1-7 or 1/10
	domLast                       // L: the last day of the month
	domLastWeekday                // LW: the last weekday of the month
	domNearest                    // 15W: the weekday nearest the 15th
)

type dayOfMonth struct {
	kind domKind
	days valueSet // domList
	day  int      // domNearest
}

// dowKind is what a day-of-week field says.
type dowKind int

const (
	dowAny  dowKind = iota // ?
	dowList                // MON-FRI, 1,7; L alone is 7, Saturday
	dowLast                // 6L: the last Friday of the month
	dowNth                 // 2#1: the first Monday of the month
)

type dayOfWeek struct {
	kind dowKind
	days valueSet // dowList
	day  int      // dowLast, dowNth: 1 = Sunday
	nth  int      // dowNth: 1–5
}

// parseCron parses the six fields inside cron(…).
func parseCron(expr, body string) (*cronSpec, error) {
	parts := strings.Fields(strings.ToUpper(body))
	if len(parts) != 6 {
		return nil, &SyntaxError{Expr: expr, Reason: fmt.Sprintf(
			"a cron expression has six fields (minutes hours day-of-month month day-of-week year); got %d", len(parts))}
	}
	fail := func(f field, err error) error {
		return &SyntaxError{Expr: expr, Field: f.name, Reason: err.Error()}
	}
	var c cronSpec
	var err error
	lists := []struct {
		f    field
		text string
		set  *valueSet
	}{
		{minutesField, parts[0], &c.minutes},
		{hoursField, parts[1], &c.hours},
		{monthField, parts[3], &c.months},
		{yearField, parts[5], &c.years},
	}
	for _, l := range lists {
		if *l.set, err = l.f.parseList(l.text); err != nil {
			return nil, fail(l.f, err)
		}
	}
	if c.dom, err = parseDayOfMonth(parts[2]); err != nil {
		return nil, fail(domField, err)
	}
	if c.dow, err = parseDayOfWeek(parts[4]); err != nil {
		return nil, fail(dowField, err)
	}
	switch {
	case c.dom.kind == domAny && c.dow.kind == dowAny:
		return nil, &SyntaxError{Expr: expr,
			Reason: "day-of-month and day-of-week are both ?; exactly one of them must be ?"}
	case c.dom.kind != domAny && c.dow.kind != dowAny:
		return nil, &SyntaxError{Expr: expr,
			Reason: "day-of-month and day-of-week cannot both be specified; use ? in one of them"}
	}
	return &c, nil
}

// parseDayOfMonth parses ?, L, LW, a day with W (15W), or a list.
func parseDayOfMonth(s string) (dayOfMonth, error) {
	switch {
	case s == "?":
		return dayOfMonth{kind: domAny}, nil
	case s == "L":
		return dayOfMonth{kind: domLast}, nil
	case s == "LW":
		return dayOfMonth{kind: domLastWeekday}, nil
	case strings.HasSuffix(s, "W"):
		day := strings.TrimSuffix(s, "W")
		if !isDigits(day) {
			return dayOfMonth{}, fmt.Errorf("W follows a single day, as in 15W, or L (LW); not %q", s)
		}
		n, err := domField.value(day)
		if err != nil {
			return dayOfMonth{}, err
		}
		return dayOfMonth{kind: domNearest, day: n}, nil
	case strings.ContainsAny(s, "LW"):
		return dayOfMonth{}, fmt.Errorf("L and W stand alone (L, LW, 15W), not in %q", s)
	}
	days, err := domField.parseList(s)
	if err != nil {
		return dayOfMonth{}, err
	}
	return dayOfMonth{kind: domList, days: days}, nil
}

// parseDayOfWeek parses ?, L (Saturday, the last day of the week), a day
// with L (6L), a day with # (2#1), or a list.
func parseDayOfWeek(s string) (dayOfWeek, error) {
	switch {
	case s == "?":
		return dayOfWeek{kind: dowAny}, nil
	case s == "L":
		var days valueSet
		days.base = dowField.min
		days.add(dowField.max)
		return dayOfWeek{kind: dowList, days: days}, nil
	case strings.Contains(s, "#"):
		day, nth, _ := strings.Cut(s, "#")
		if strings.ContainsAny(s, ",-*/L") {
			return dayOfWeek{}, fmt.Errorf("a field with # holds that one expression, as in 2#1; not %q", s)
		}
		d, err := dowField.value(day)
		if err != nil {
			return dayOfWeek{}, err
		}
		n, err := strconv.Atoi(nth)
		if !isDigits(nth) || err != nil || n < 1 || n > 5 {
			return dayOfWeek{}, fmt.Errorf("the week after # must be 1-5, not %q", nth)
		}
		return dayOfWeek{kind: dowNth, day: d, nth: n}, nil
	case strings.HasSuffix(s, "L"):
		day := strings.TrimSuffix(s, "L")
		if strings.ContainsAny(day, ",-*/") {
			return dayOfWeek{}, fmt.Errorf("L follows a single day, as in 6L (the last Friday); not %q", s)
		}
		d, err := dowField.value(day)
		if err != nil {
			return dayOfWeek{}, err
		}
		return dayOfWeek{kind: dowLast, day: d}, nil
	}
	days, err := dowField.parseList(s)
	if err != nil {
		return dayOfWeek{}, err
	}
	return dayOfWeek{kind: dowList, days: days}, nil
}

// parseList parses a comma-separated list of *, a value, a range a-b,
// each optionally with an increment (/n) where the field allows it.
func (f field) parseList(s string) (valueSet, error) {
	set := valueSet{base: f.min}
	if s == "?" {
		return set, errors.New("? is allowed only in day-of-month and day-of-week")
	}
	for item := range strings.SplitSeq(s, ",") {
		if item == "" {
			return set, fmt.Errorf("empty item in the list %q", s)
		}
		span, stepText, hasStep := strings.Cut(item, "/")
		if hasStep && !f.step {
			return set, fmt.Errorf("the / wildcard is not allowed in %s (%q)", f.name, item)
		}
		var lo, hi int
		switch {
		case span == "*":
			lo, hi = f.min, f.max
		case strings.Contains(span, "-"):
			a, b, _ := strings.Cut(span, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return set, err
			}
			if hi, err = f.value(b); err != nil {
				return set, err
			}
			if lo > hi {
				return set, fmt.Errorf("the range %s runs backwards", span)
			}
		default:
			var err error
			if lo, err = f.value(span); err != nil {
				return set, err
			}
			hi = lo
			if hasStep {
				hi = f.max
			}
		}
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if !isDigits(stepText) || err != nil || n < 1 || n > f.max-f.min {
				return set, fmt.Errorf("the increment in %q must be a whole number 1-%d", item, f.max-f.min)
			}
			step = n
		}
		for v := lo; v <= hi; v += step {
			set.add(v)
		}
	}
	return set, nil
}

// value parses a number or, where the field has them, a name.
func (f field) value(tok string) (int, error) {
	if isDigits(tok) {
		n, err := strconv.Atoi(tok)
		if err != nil || n < f.min || n > f.max {
			return 0, fmt.Errorf("%s is out of range %d-%d", tok, f.min, f.max)
		}
		return n, nil
	}
	for i, name := range f.names {
		if tok == name {
			return f.min + i, nil
		}
	}
	switch {
	case tok == "":
		return 0, errors.New("a value is missing")
	case f.names != nil:
		return 0, fmt.Errorf("%q is neither a number %d-%d nor a name %s-%s",
			tok, f.min, f.max, f.names[0], f.names[len(f.names)-1])
	default:
		return 0, fmt.Errorf("%q is not a number %d-%d", tok, f.min, f.max)
	}
}

// next is the first firing strictly after after; the zero time if none
// comes before the end of the last year EventBridge allows.
func (c *cronSpec) next(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	if t.Year() < yearField.min {
		t = time.Date(yearField.min, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for t.Year() <= yearField.max {
		y, m, d := t.Date()
		switch {
		case !c.years.has(y):
			t = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
		case !c.months.has(int(m)):
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.day(y, m, d):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		case !c.hours.has(t.Hour()):
			t = time.Date(y, m, d, t.Hour()+1, 0, 0, 0, time.UTC)
		case !c.minutes.has(t.Minute()):
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}

// prev is the last firing at or before at; the zero time if there is
// none since the first year EventBridge allows. It walks backwards as
// next walks forwards.
func (c *cronSpec) prev(at time.Time) time.Time {
	t := at.UTC().Truncate(time.Minute)
	if t.Year() > yearField.max {
		t = time.Date(yearField.max, 12, 31, 23, 59, 0, 0, time.UTC)
	}
	for t.Year() >= yearField.min {
		y, m, d := t.Date()
		// A minute before midnight of a day, month or year is the last
		// minute of the day, month or year before it.
		switch {
		case !c.years.has(y):
			t = time.Date(y, 1, 1, 0, -1, 0, 0, time.UTC)
		case !c.months.has(int(m)):
			t = time.Date(y, m, 1, 0, -1, 0, 0, time.UTC)
		case !c.day(y, m, d):
			t = time.Date(y, m, d, 0, -1, 0, 0, time.UTC)
		case !c.hours.has(t.Hour()):
			t = time.Date(y, m, d, t.Hour(), -1, 0, 0, time.UTC)
		case !c.minutes.has(t.Minute()):
			t = t.Add(-time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}

// day reports whether the day d of month m in year y matches both day
// fields (the one that is ? matches every day).
func (c *cronSpec) day(y int, m time.Month, d int) bool {
	last := daysIn(y, m)
	weekday := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	switch c.dom.kind {
	case domList:
		if !c.dom.days.has(d) {
			return false
		}
	case domLast:
		if d != last {
			return false
		}
	case domLastWeekday:
		if d != nearestWeekday(y, m, last) {
			return false
		}
	case domNearest:
		// A day the month does not have (31W in April) has no nearest
		// weekday in it: the rule skips that month.
		if c.dom.day > last || d != nearestWeekday(y, m, c.dom.day) {
			return false
		}
	}
	switch c.dow.kind {
	case dowList:
		return c.dow.days.has(weekday)
	case dowLast:
		return weekday == c.dow.day && d+7 > last
	case dowNth:
		return weekday == c.dow.day && (d-1)/7+1 == c.dow.nth
	}
	return true
}

// nearestWeekday is the Monday–Friday nearest to day d, without leaving
// the month: a Saturday the 1st moves to Monday the 3rd, a Sunday that is
// the last day to the Friday before.
func nearestWeekday(y int, m time.Month, d int) int {
	last := daysIn(y, m)
	switch time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if d == 1 {
			return d + 2
		}
		return d - 1
	case time.Sunday:
		if d == last {
			return d - 2
		}
		return d + 1
	}
	return d
}

// daysIn is the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
