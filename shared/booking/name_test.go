package booking

import (
	"strings"
	"testing"
)

func TestGuestNames(t *testing.T) {
	accepted := []struct{ name, s string }{
		{"plain", "Ana Silva"},
		{"precomposed accents, curly apostrophe, hyphen, Ł", "Zoë O’Brien-Łukasiewicz"},
		{"straight apostrophe", "Sinéad O'Connor"},
		{"combining marks", "Nguye\u0302\u0303n Va\u0306n A"},
		{"precomposed Vietnamese", "Nguyễn Văn A"},
		{"Spanish", "José María"},
		{"initials and a dot", "J.R.R. Tolkien"},
		{"title with a dot", "St. John Smith"},
		{"Dutch leading apostrophe", "'t Hooft"},
		{"Greek", "Αλέξανδρος Παπαδόπουλος"},
		{"Japanese", "山田 太郎"},
		{"Arabic", "محمد بن سلمان"},
		{"Hindi with marks", "अनुष्का शर्मा"},
		{"Persian with a zero-width non-joiner", "محمد\u200cرضا"},
		{"at the maximum length", strings.Repeat("a", 200)},
	}
	for _, tt := range accepted {
		t.Run("accept "+tt.name, func(t *testing.T) {
			if err := (Guest{Name: tt.s, Email: "g@example.com"}).validate(); err != nil {
				t.Fatalf("%q refused: %v", tt.s, err)
			}
		})
	}
	refused := []struct{ name, s string }{
		{"a URL", "Bob http://x.y"},
		{"markup", "<b>"},
		{"a header injection", "Ann\nBcc: all@example.com"},
		{"a newline", "Ann\nBob"},
		{"a carriage return", "Ann\rBob"},
		{"a tab", "Ann\tBob"},
		{"a NUL", "Ann\x00"},
		{"digits", "Agent 007"},
		{"an at sign", "ann@example.com"},
		{"a slash", "Ann/Bob"},
		{"a colon", "Dear customer: click"},
		{"a bare domain", "Claim your prize at prize.example"},
		{"a domain with a hyphen", "win-big.example"},
		{"an unusual TLD after one letter", "x.example"},
		{"a right-to-left override", "Ann\u202eBob"},
		{"a zero-width space", "Ann\u200bBob"},
		{"a full-width dot", "prize．example"},
		{"an ideographic full stop", "prize。example"},
		{"emoji", "Ann 😀"},
		{"only punctuation", "'-."},
		{"blank", "   "},
		{"empty", ""},
		{"a leading combining mark", "\u0301Ann"},
		{"too long", strings.Repeat("a", 201)},
	}
	for _, tt := range refused {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			err := (Guest{Name: tt.s, Email: "g@example.com"}).validate()
			v, ok := err.(*ValidationError)
			if !ok || v.Fields["guest.name"] == "" {
				t.Fatalf("%q: want a guest.name error, got %v", tt.s, err)
			}
		})
	}
}

func (g Guest) validate() error {
	v := &ValidationError{}
	g.validateInto(v)
	return v.Err()
}
