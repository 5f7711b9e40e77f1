package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expression is a parsed EventBridge schedule expression, rate(…) or
// cron(…). The zero Expression never fires.
type Expression struct {
	text string
	cron *cronSpec // nil for a rate
	// every is a rate's period in seconds, and anchor the Unix second its
	// periods are counted from.
	every, anchor int64
}

// SyntaxError is an expression EventBridge would refuse, with the field
// at fault and why.
type SyntaxError struct {
	// Expr is the expression as given.
	Expr string
	// Field names the part at fault: "value" or "unit" of a rate,
	// "minutes" … "year" of a cron expression; "" for the whole.
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error reads "schedule: "cron(…)": day-of-week field: …".
func (e *SyntaxError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("schedule: %q: %s", e.Expr, e.Reason)
	}
	return fmt.Sprintf("schedule: %q: %s field: %s", e.Expr, e.Field, e.Reason)
}

// maxRateValue bounds a rate's value so that periods stay far from
// overflowing; a period of up to a million days (2,700 years) is allowed.
const maxRateValue = 1_000_000

// rateUnits are the units of a rate in seconds, by their singular name.
var rateUnits = map[string]int64{"minute": 60, "hour": 3600, "day": 86400}

// Parse parses an EventBridge schedule expression: rate(value unit), as
// rate(5 minutes), or cron(minutes hours day-of-month month day-of-week
// year), as cron(0 6 * * ? *). It refuses what EventBridge refuses, with a
// *SyntaxError.
func Parse(expr string) (Expression, error) {
	switch {
	case strings.HasPrefix(expr, "rate("):
		body, ok := strings.CutSuffix(expr[len("rate("):], ")")
		if !ok {
			return Expression{}, &SyntaxError{Expr: expr, Reason: "missing the closing parenthesis"}
		}
		return parseRate(expr, body)
	case strings.HasPrefix(expr, "cron("):
		body, ok := strings.CutSuffix(expr[len("cron("):], ")")
		if !ok {
			return Expression{}, &SyntaxError{Expr: expr, Reason: "missing the closing parenthesis"}
		}
		spec, err := parseCron(expr, body)
		if err != nil {
			return Expression{}, err
		}
		return Expression{text: expr, cron: spec}, nil
	default:
		return Expression{}, &SyntaxError{Expr: expr,
			Reason: "want rate(value unit) or cron(minutes hours day-of-month month day-of-week year)"}
	}
}

// parseRate parses the inside of rate(…): a positive whole number and a
// unit, singular exactly when the number is 1.
func parseRate(expr, body string) (Expression, error) {
	parts := strings.Fields(body)
	if len(parts) != 2 {
		return Expression{}, &SyntaxError{Expr: expr,
			Reason: fmt.Sprintf("a rate has two fields, value and unit, as in rate(5 minutes); got %d", len(parts))}
	}
	value, unit := parts[0], parts[1]
	if !isDigits(value) {
		return Expression{}, &SyntaxError{Expr: expr, Field: "value",
			Reason: fmt.Sprintf("%q is not a positive whole number", value)}
	}
	n, err := strconv.Atoi(value)
	if err != nil || n > maxRateValue {
		return Expression{}, &SyntaxError{Expr: expr, Field: "value",
			Reason: fmt.Sprintf("%s is more than %d", value, maxRateValue)}
	}
	if n == 0 {
		return Expression{}, &SyntaxError{Expr: expr, Field: "value", Reason: "must be positive, not 0"}
	}
	singular, plural := unit, ""
	if s, ok := strings.CutSuffix(unit, "s"); ok {
		singular, plural = s, unit
	}
	seconds, ok := rateUnits[singular]
	if !ok {
		return Expression{}, &SyntaxError{Expr: expr, Field: "unit",
			Reason: fmt.Sprintf("%q is not one of minute, minutes, hour, hours, day, days", unit)}
	}
	switch {
	case n == 1 && plural != "":
		return Expression{}, &SyntaxError{Expr: expr, Field: "unit",
			Reason: fmt.Sprintf("a value of 1 takes the singular %q, not %q", singular, unit)}
	case n > 1 && plural == "":
		return Expression{}, &SyntaxError{Expr: expr, Field: "unit",
			Reason: fmt.Sprintf("a value above 1 takes the plural %q, not %q", unit+"s", unit)}
	}
	return Expression{text: expr, every: int64(n) * seconds}, nil
}

// String is the expression as it was written.
func (e Expression) String() string { return e.text }

// Period is a rate's period, and 0 for a cron expression.
func (e Expression) Period() time.Duration { return time.Duration(e.every) * time.Second }

// Anchored returns the expression with a rate's periods counted from
// start, truncated to the second, as EventBridge counts them from the
// rule's creation. A cron expression is returned unchanged. An
// expression never anchored counts from the Unix epoch, so that
// rate(1 day) falls at midnight UTC.
func (e Expression) Anchored(start time.Time) Expression {
	if e.every > 0 {
		e.anchor = start.Unix()
	}
	return e
}

// Next is the first firing strictly after after, in UTC; the zero time
// when there is none (a cron expression whose years are over, or a day
// that never comes, as 30 February).
func (e Expression) Next(after time.Time) time.Time {
	switch {
	case e.cron != nil:
		return e.cron.next(after)
	case e.every > 0:
		k := floorDiv(after.Unix()-e.anchor, e.every) + 1
		return time.Unix(e.anchor+k*e.every, 0).UTC()
	default:
		return time.Time{}
	}
}

// latest is the last firing at or before at, in UTC; the zero time when
// there is none.
func (e Expression) latest(at time.Time) time.Time {
	switch {
	case e.cron != nil:
		return e.cron.prev(at)
	case e.every > 0:
		k := floorDiv(at.Unix()-e.anchor, e.every)
		return time.Unix(e.anchor+k*e.every, 0).UTC()
	default:
		return time.Time{}
	}
}

// floorDiv divides rounding towards minus infinity; d is positive.
func floorDiv(n, d int64) int64 {
	q := n / d
	if n%d < 0 {
		q--
	}
	return q
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
