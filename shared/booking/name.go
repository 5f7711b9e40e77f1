package booking

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Guest names go into mail the hotel sends from its own domain, so they
// hold only what names are made of: letters and their marks (in any
// script, so "Zoë O’Brien-Łukasiewicz" and "Nguyễn Văn A" with combining
// marks pass), spaces, apostrophes (' and ’), hyphens and dots. Digits,
// <, >, @, /, :, control characters and line breaks are refused, and so
// is a word that reads as a domain name ("claim at prize.example"), which
// mail clients turn into a link: dots inside a word are allowed only
// between initials, as in "J.R.R.".

// nameJoiners are the zero-width (non-)joiners some scripts write
// inside names (Persian, Indic); they are taken only after a letter.
const nameJoiners = "\u200c\u200d"

// checkName records what is wrong with a guest name of at most max
// characters. Leading and trailing spaces are the caller's to trim.
func checkName(v *ValidationError, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(field, "is required")
		return
	case utf8.RuneCountInString(s) > max:
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
		return
	}
	letters := 0
	prev := ' '
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.M, r) && i > 0:
		case strings.ContainsRune(nameJoiners, r) && (unicode.IsLetter(prev) || unicode.Is(unicode.M, prev)):
		case r == ' ' || r == '\'' || r == '’' || r == '-' || r == '.':
		default:
			v.Add(field, "must be a name: letters, spaces, apostrophes, hyphens and dots only")
			return
		}
		prev = r
	}
	if letters == 0 {
		v.Add(field, "must be a name: letters, spaces, apostrophes, hyphens and dots only")
		return
	}
	for _, word := range strings.Split(s, " ") {
		if domainLike(word) {
			v.Add(field, "must be a name, not a web address")
			return
		}
	}
}

// domainLike reports whether a word has a dot followed by a letter and a
// dot-separated part of more than one letter: "x.example" or "ann.co",
// but not the initials "J.R.R." or "St.".
func domainLike(word string) bool {
	dot := strings.IndexByte(word, '.')
	if dot < 0 || dot == len(word)-1 {
		return false
	}
	inner := false
	parts := strings.Split(word, ".")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			inner = true
		}
	}
	if !inner {
		return false
	}
	for _, p := range parts {
		n := 0
		for _, r := range p {
			if unicode.IsLetter(r) {
				n++
			}
		}
		if n > 1 {
			return true
		}
	}
	return false
}
