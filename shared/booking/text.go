package booking

import "strings"

// The shapes of identifiers, checked by hand rather than with regexp: the
// compiled patterns cost a cold start more than a third of a millisecond,
// and these loops are clearer about what they accept anyway.

// onlyFrom reports whether every byte of s is in set.
func onlyFrom(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// hyphenated reports whether s is runs of chars joined by single hyphens,
// such as "lisbon-riverside" or "STD-FLEX".
func hyphenated(s, chars string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, "-") {
		if part == "" || !onlyFrom(part, chars) {
			return false
		}
	}
	return true
}

// isUpper reports whether s is exactly n uppercase letters (ISO codes).
func isUpper(s string, n int) bool { return len(s) == n && onlyFrom(s, upper) }

// isClock reports whether s is a time of day as HH:MM.
func isClock(s string) bool {
	if len(s) != 5 || s[2] != ':' || !onlyFrom(s[:2]+s[3:], "0123456789") {
		return false
	}
	return s[:2] <= "23" && s[3] <= '5'
}

// isPhone reports whether s looks like a phone number: an optional +,
// then 6 to 32 digits, spaces and ( ) . / -.
func isPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	return len(s) >= 6 && len(s) <= 32 && onlyFrom(s, "0123456789 ()./-")
}
