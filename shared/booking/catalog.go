package booking

import (
	"context"
	"sync"
	"time"
)

// catalogTTL is how long a hotel's catalogue is trusted without a read.
// A cached entry can lack what was added since (a code it lacks is looked
// up again at once) and, in another warm process, miss an edit for up to
// this long. That staleness cannot reach a booking: the Store's Book reads
// the rate plan's terms and whether it or its room type is archived
// inside its own transaction.
const catalogTTL = 30 * time.Second

// catalog caches hotel details per process, saving the catalogue read on
// every search and booking of a warm function.
type catalog struct {
	mu     sync.RWMutex
	hotels map[string]cachedHotel
}

type cachedHotel struct {
	detail HotelDetail
	read   time.Time
}

func (c *catalog) get(slug string) (HotelDetail, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.hotels[slug]
	if !ok || time.Since(h.read) > catalogTTL {
		return HotelDetail{}, false
	}
	return h.detail, true
}

func (c *catalog) put(slug string, d HotelDetail) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hotels == nil {
		c.hotels = map[string]cachedHotel{}
	}
	c.hotels[slug] = cachedHotel{d, time.Now()}
}

func (c *catalog) forget(slug string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.hotels, slug)
}

// hotel returns the hotel's catalogue, from the cache when fresh.
func (s *Service) hotel(ctx context.Context, slug string) (HotelDetail, error) {
	if !ValidSlug(slug) {
		return HotelDetail{}, ErrNotFound
	}
	if d, ok := s.catalog.get(slug); ok {
		s.found(ctx, slug)
		return d, nil
	}
	return s.reloadHotel(ctx, slug)
}

func (s *Service) reloadHotel(ctx context.Context, slug string) (HotelDetail, error) {
	// Every path to the store checks the slug: a NUL or any other byte a
	// slug cannot hold is not found, not a database error.
	if !ValidSlug(slug) {
		return HotelDetail{}, ErrNotFound
	}
	d, err := s.store.HotelDetail(ctx, slug)
	if err != nil {
		return HotelDetail{}, err
	}
	s.catalog.put(slug, d)
	s.found(ctx, slug)
	return d, nil
}

// lookup returns the hotel and whether found(h) holds, reading the
// catalogue afresh once when the cached one does not have what is sought.
func (s *Service) lookup(ctx context.Context, slug string, found func(HotelDetail) bool) (HotelDetail, bool, error) {
	h, err := s.hotel(ctx, slug)
	if err != nil || found(h) {
		return h, err == nil, err
	}
	if h, err = s.reloadHotel(ctx, slug); err != nil {
		return h, false, err
	}
	return h, found(h), nil
}
