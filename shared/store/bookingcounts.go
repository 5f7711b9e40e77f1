package store

import (
	"context"
	"fmt"

	"innkeeper/shared/booking"
)

// BookingCounts counts reservations by hotel for the metrics: Total
// holds the figures that only grow (status "created": every reservation
// ever made; "cancelled" and "expired": the terminal states), Current
// the reservations by the state they are in now. One round trip.
func (s *Store) BookingCounts(ctx context.Context) (total, current []booking.ReservationCount, err error) {
	rows, err := s.pool.Query(ctx, `
		SELECT h.slug, r.status, count(*)
		FROM reservations r JOIN hotels h ON h.id = r.hotel_id
		GROUP BY h.slug, r.status
		ORDER BY h.slug, r.status`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: booking counts: %w", err)
	}
	defer rows.Close()
	created := map[string]int64{}
	var hotels []string
	for rows.Next() {
		var b booking.ReservationCount
		if err := rows.Scan(&b.Hotel, &b.Status, &b.Count); err != nil {
			return nil, nil, fmt.Errorf("store: booking counts: %w", err)
		}
		current = append(current, b)
		if _, seen := created[b.Hotel]; !seen {
			hotels = append(hotels, b.Hotel)
		}
		created[b.Hotel] += b.Count
		if b.Status == "cancelled" || b.Status == "expired" {
			total = append(total, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: booking counts: %w", err)
	}
	for _, h := range hotels {
		total = append(total, booking.ReservationCount{Hotel: h, Status: "created", Count: created[h]})
	}
	return total, current, nil
}
