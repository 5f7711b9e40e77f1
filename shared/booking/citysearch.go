package booking

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// How a city search orders its hotels.
const (
	// SortPrice orders by the best offer's total. Prices in different
	// currencies are not comparable, so hotels are grouped by currency
	// code (ISO 4217, in byte order: "EUR" before "USD") and ordered by
	// total within each group; the slug breaks ties.
	SortPrice = "price"
	// SortName orders by the hotel's name, in lower case; the slug
	// breaks ties.
	SortName = "name"
)

// Limits of a city search's page.
const (
	DefaultCityPage = 20
	MaxCityPage     = 50
	maxCityLen      = 100
)

// CitySearchTTL bounds how long a city search's answer is kept. The
// generation (SearchCache) makes every write that changes what is sold
// invalidate it at once; the TTL only bounds what a failed invalidation
// (Redis unreachable for that one write) could leave behind.
const CitySearchTTL = 60 * time.Second

// CitySearch is a guest's search of every hotel of a city for one stay.
type CitySearch struct {
	// City matches the hotels' city whatever its case and accents.
	City  string
	Stay  Stay
	Sort  string // SortPrice (the default when empty) or SortName
	Limit int    // 1..MaxCityPage; DefaultCityPage when 0
	After *CityCursor
}

// CityCursor marks the last hotel of the previous page (keyset paging):
// the next page starts after it in the search's order, so hotels are
// neither repeated nor skipped when prices change between pages (a
// hotel whose price moved past the cursor is simply met where it now
// sorts).
type CityCursor struct {
	Sort       string
	Currency   string
	TotalCents int64
	Name       string
	Slug       string
}

// CityOffer is a hotel of the city with its best offer for the stay: the
// cheapest total among the plans that can sell it.
type CityOffer struct {
	Hotel Hotel
	Offer Offer
}

// HotelCandidates are a hotel's candidates for a stay, read for every
// hotel of a city at once.
type HotelCandidates struct {
	Hotel      Hotel
	Candidates []Candidate
	// Taxes are the hotel's taxes and fees, which its offers' prices
	// carry.
	Taxes []Tax
}

// SearchCache keeps the answers of city searches between requests and
// processes. It may forget anything at any time, and fails open: an
// error is a miss, never the search's failure.
type SearchCache interface {
	// Load returns the entry under key if it was stored under the
	// current generation, and that generation, for Store.
	Load(ctx context.Context, key string) (entry []byte, gen string, ok bool)
	// Store keeps entry under key for generation gen (the one Load
	// returned before the answer was computed, so an answer computed
	// across a write is stale at once) for ttl.
	Store(ctx context.Context, key, gen string, entry []byte, ttl time.Duration)
	// Invalidate starts a new generation: every entry stored before is
	// stale.
	Invalidate(ctx context.Context)
}

// UseSearchCache sets the cache of city searches; without one, every
// search reads the database.
func (s *Service) UseSearchCache(c SearchCache) { s.searches = c }

// changed tells the city search cache that what is sold changed:
// inventory, rates, the catalogue, or rooms taken or given back. One
// generation for every city: a write need not know which cities (and
// which spellings of them) it touches, and nothing is scanned or deleted.
func (s *Service) changed(ctx context.Context) {
	if s.searches != nil {
		s.searches.Invalidate(ctx)
	}
}

// forget drops a hotel's cached catalogue after an edit, and every
// cached city search with it.
func (s *Service) forget(ctx context.Context, slug string) {
	s.catalog.forget(slug)
	s.changed(ctx)
}

// isCityName reports whether s is made of what city names are made of:
// letters with their accents, spaces, hyphens and periods ("St. Louis",
// "Aix-en-Provence", "São Paulo"). Quotes, slashes and the like are
// refused with a 422 rather than matched against nothing.
func isCityName(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

// validate checks the search. The stay is checked against the earliest
// date anywhere (UTC−12): a check-in before it is past in every hotel;
// each hotel then checks it against its own today (SearchCity).
func (q *CitySearch) validate(now time.Time) error {
	v := &ValidationError{}
	q.City = strings.TrimSpace(q.City)
	switch {
	case q.City == "":
		v.Add("city", "is required")
	case !utf8.ValidString(q.City) || utf8.RuneCountInString(q.City) > maxCityLen || !isCityName(q.City):
		v.Add("city", fmt.Sprintf("must be at most %d letters, spaces, hyphens and periods (search L'Aquila as aquila)", maxCityLen))
	}
	switch q.Sort {
	case "":
		q.Sort = SortPrice
	case SortPrice, SortName:
	default:
		v.Add("sort", "must be price or name")
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultCityPage
	case q.Limit < 1 || q.Limit > MaxCityPage:
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxCityPage))
	}
	if q.After != nil && q.After.Sort != q.Sort {
		v.Add("cursor", "belongs to a search with another sort")
	}
	q.Stay.validateInto(v, DateOf(now.UTC().Add(-12*time.Hour)))
	return v.Err()
}

// SearchCity returns a page of the city's hotels, each with its best
// offer for the stay, and the cursor of the next page (nil on the last).
// Hotels that cannot sell the stay (sold out, no price on a night, no
// room type the guests fit, archived, or where check-in is already past
// at the hotel) are left out.
//
// The offers come from the same rule as Search (offers), over candidates
// read for all the city's hotels in one query. The whole city's answer
// is cached (SearchCache) under the normalised stay and city; sorting
// and paging are done on it per request.
//
// A cached answer can be as old as the last write that changed what is
// sold, since every such write of this Service starts a new generation:
// bookings, modifications and cancellations included, so a cached offer
// does not claim rooms that are gone. Writers that do not share the
// cache (the jobs' expiry of holds) only give rooms back, which a cached
// answer then understates until its TTL. Whatever the cache says, Book
// checks the rooms again in its own transaction.
func (s *Service) SearchCity(ctx context.Context, q CitySearch) ([]CityOffer, *CityCursor, error) {
	now := s.now()
	if err := q.validate(now); err != nil {
		return nil, nil, err
	}
	all, err := s.cityOffers(ctx, q.City, q.Stay, now)
	if err != nil {
		return nil, nil, err
	}
	sortCityOffers(all, q.Sort)
	start := 0
	if q.After != nil {
		start, _ = slices.BinarySearchFunc(all, *q.After, func(o CityOffer, c CityCursor) int {
			if k := compareCity(cursorOf(o, q.Sort), c); k != 0 {
				return k
			}
			return -1 // the cursor's own hotel is before the page
		})
	}
	page := all[start:min(start+q.Limit, len(all))]
	var next *CityCursor
	if start+q.Limit < len(all) {
		c := cursorOf(page[len(page)-1], q.Sort)
		next = &c
	}
	return page, next, nil
}

// cityOffers is every hotel of the city with its best offer, from the
// cache when it has them.
func (s *Service) cityOffers(ctx context.Context, city string, stay Stay, now time.Time) ([]CityOffer, error) {
	// The key folds case only; "Sao Paulo" and "São Paulo" are then two
	// entries with the same answer, which is correct, only less shared.
	// Children's ages change prices (Occupancy) and which hotels take
	// them (AgeBands), so they are part of the key: "-" for none given.
	key := strings.Join([]string{"city", strings.ToLower(city), stay.CheckIn.String(), stay.CheckOut.String(),
		strconv.Itoa(stay.Adults), strconv.Itoa(stay.Children), strconv.Itoa(stay.Rooms), agesKey(stay.ChildrenAges)}, "|")
	var gen string
	if s.searches != nil {
		var entry []byte
		var ok bool
		if entry, gen, ok = s.searches.Load(ctx, key); ok {
			var all []CityOffer
			if json.Unmarshal(entry, &all) == nil {
				return s.stillSold(all, stay, now), nil
			}
		}
	}
	hotels, err := s.store.CityCandidates(ctx, city, stay)
	if err != nil {
		return nil, fmt.Errorf("booking: search city %q: %w", city, err)
	}
	all := []CityOffer{}
	for _, hc := range hotels {
		if hc.Hotel.ArchivedAt != nil {
			continue
		}
		// The best offer is the cheapest booking: TotalCents, taxes and
		// fees included, what is paid at the hotel left out.
		var best *Offer
		offers, _ := s.offers(hc.Hotel, hc.Taxes, stay, hc.Candidates)
		for _, o := range offers {
			if best == nil || o.TotalCents < best.TotalCents {
				best = &o
			}
		}
		if best != nil {
			all = append(all, CityOffer{Hotel: hc.Hotel, Offer: *best})
		}
	}
	if s.searches != nil {
		if entry, err := json.Marshal(all); err == nil {
			s.searches.Store(ctx, key, gen, entry, CitySearchTTL)
		}
	}
	return s.stillSold(all, stay, now), nil
}

// stillSold leaves out the hotels where check-in is already past in the
// hotel's own zone: an answer cached before a hotel's midnight may be
// read after it.
func (s *Service) stillSold(all []CityOffer, stay Stay, now time.Time) []CityOffer {
	return slices.DeleteFunc(all, func(o CityOffer) bool { return stay.CheckIn.Before(o.Hotel.Today(now)) })
}

func sortCityOffers(all []CityOffer, sort string) {
	slices.SortFunc(all, func(a, b CityOffer) int { return compareCity(cursorOf(a, sort), cursorOf(b, sort)) })
}

func cursorOf(o CityOffer, sort string) CityCursor {
	c := CityCursor{Sort: sort, Slug: o.Hotel.Slug}
	if sort == SortName {
		c.Name = strings.ToLower(o.Hotel.Name)
	} else {
		c.Currency, c.TotalCents = o.Offer.Currency, o.Offer.TotalCents
	}
	return c
}

// compareCity orders two hotels' keys of the same sort.
func compareCity(a, b CityCursor) int {
	return cmp.Or(
		cmp.Compare(a.Currency, b.Currency),
		cmp.Compare(a.TotalCents, b.TotalCents),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Slug, b.Slug),
	)
}

// agesKey is the children's ages in a cache key, as given: "7,9", or
// "-" when none were (priced otherwise than any list of ages).
func agesKey(ages []int) string {
	if len(ages) == 0 {
		return "-"
	}
	parts := make([]string, len(ages))
	for i, a := range ages {
		parts[i] = strconv.Itoa(a)
	}
	return strings.Join(parts, ",")
}
