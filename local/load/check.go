package load

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// InventoryCheck is the overbooking check: for every room type and night
// with inventory, sold must equal the rooms of the held and confirmed
// reservations covering that night, and must not exceed units. Both sides
// are read in one snapshot, from different tables, and compared here.
type InventoryCheck struct {
	// Nights is the number of room-type nights compared.
	Nights int
	// Sold and Booked are the sums of both sides over every night.
	Sold, Booked int
	// Mismatches counts nights whose sold differs from what is booked on
	// them; Oversold those whose sold exceeds their units.
	Mismatches, Oversold int
	// Details describe the first few nights that failed.
	Details []string
	// RunBooked is the number of bookings this run got a 201 for;
	// RunFound how many of them PostgreSQL has as held or confirmed, and
	// RunRoomNights their rooms × nights.
	RunBooked, RunFound, RunRoomNights int
}

// Failures lists what the check found wrong.
func (c *InventoryCheck) Failures() []string {
	var out []string
	if c.Mismatches > 0 {
		out = append(out, fmt.Sprintf("%d room-type nights have sold ≠ rooms booked", c.Mismatches))
	}
	if c.Oversold > 0 {
		out = append(out, fmt.Sprintf("%d room-type nights are sold beyond their units", c.Oversold))
	}
	if c.RunFound != c.RunBooked {
		out = append(out, fmt.Sprintf("%d of %d bookings answered 201 are not held or confirmed in PostgreSQL", c.RunBooked-c.RunFound, c.RunBooked))
	}
	if c.Nights == 0 {
		out = append(out, "no inventory to check: is DatabaseURL the stack's database (and schema)?")
	}
	return out
}

// inventoryRow is one room type's night as the inventory table has it.
type inventoryRow struct {
	roomType    int64
	label       string // hotel/room type, for the details
	night       time.Time
	units, sold int
}

// stayRow is a held or confirmed reservation.
type stayRow struct {
	roomType          int64
	checkIn, checkOut time.Time
	rooms             int
}

type nightKey struct {
	roomType int64
	night    string
}

const maxDetails = 10

// compareInventory checks inv against the nights the stays take.
func compareInventory(inv []inventoryRow, stays []stayRow) InventoryCheck {
	booked := map[nightKey]int{}
	for _, s := range stays {
		for d := s.checkIn; d.Before(s.checkOut); d = d.AddDate(0, 0, 1) {
			booked[nightKey{s.roomType, d.Format(time.DateOnly)}] += s.rooms
		}
	}
	var c InventoryCheck
	detail := func(format string, a ...any) {
		if len(c.Details) < maxDetails {
			c.Details = append(c.Details, fmt.Sprintf(format, a...))
		}
	}
	for _, row := range inv {
		k := nightKey{row.roomType, row.night.Format(time.DateOnly)}
		b := booked[k]
		delete(booked, k)
		c.Nights++
		c.Sold += row.sold
		c.Booked += b
		if row.sold != b {
			c.Mismatches++
			detail("%s %s: sold %d, rooms booked %d", row.label, k.night, row.sold, b)
		}
		if row.sold > row.units {
			c.Oversold++
			detail("%s %s: sold %d of %d units", row.label, k.night, row.sold, row.units)
		}
	}
	// Nights booked with no inventory row at all.
	for k, b := range booked {
		c.Booked += b
		c.Mismatches++
		detail("room type %d %s: %d rooms booked, no inventory", k.roomType, k.night, b)
	}
	return c
}

// checkInventory reads both sides of the overbooking check in one
// read-only snapshot, and which of refs (the run's bookings) are held or
// confirmed.
func checkInventory(ctx context.Context, databaseURL string, refs []string) (*InventoryCheck, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("load: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("load: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()

	rows, err := tx.Query(ctx, `SELECT i.room_type_id, h.slug || '/' || rt.code, i.night, i.units, i.sold
		FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id JOIN hotels h ON h.id = rt.hotel_id`)
	if err != nil {
		return nil, fmt.Errorf("load: read inventory: %w", err)
	}
	inv, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (inventoryRow, error) {
		var v inventoryRow
		return v, r.Scan(&v.roomType, &v.label, &v.night, &v.units, &v.sold)
	})
	if err != nil {
		return nil, fmt.Errorf("load: read inventory: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT room_type_id, check_in, check_out, rooms
		FROM reservations WHERE status IN ('held', 'confirmed')`)
	if err != nil {
		return nil, fmt.Errorf("load: read reservations: %w", err)
	}
	stays, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stayRow, error) {
		var v stayRow
		return v, r.Scan(&v.roomType, &v.checkIn, &v.checkOut, &v.rooms)
	})
	if err != nil {
		return nil, fmt.Errorf("load: read reservations: %w", err)
	}
	c := compareInventory(inv, stays)
	c.RunBooked = len(refs)
	if len(refs) > 0 {
		err = tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(rooms * (check_out - check_in)), 0)
			FROM reservations WHERE reference = ANY($1) AND status IN ('held', 'confirmed')`, refs).
			Scan(&c.RunFound, &c.RunRoomNights)
		if err != nil {
			return nil, fmt.Errorf("load: read the run's reservations: %w", err)
		}
	}
	return &c, nil
}

// flashInventory reads the flash sale's night: its units and sold, and
// the rooms of the held and confirmed reservations on it.
func flashInventory(ctx context.Context, databaseURL, hotel, roomType string, night time.Time) (units, sold, booked int, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("load: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	err = conn.QueryRow(ctx, `
		SELECT i.units, i.sold,
			(SELECT coalesce(sum(r.rooms), 0) FROM reservations r
			 WHERE r.room_type_id = rt.id AND r.status IN ('held', 'confirmed')
			   AND r.check_in <= i.night AND r.check_out > i.night)
		FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id JOIN hotels h ON h.id = rt.hotel_id
		WHERE h.slug = $1 AND rt.code = $2 AND i.night = $3`, hotel, roomType, night).Scan(&units, &sold, &booked)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("load: read %s/%s on %s: %w", hotel, roomType, night.Format(time.DateOnly), err)
	}
	return units, sold, booked, nil
}
