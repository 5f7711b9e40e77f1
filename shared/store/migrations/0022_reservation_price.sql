-- A reservation keeps the price it was booked at line by line
-- (booking.Price: the rooms, each tax and fee, what is paid at the
-- hotel), so quotes, emails and invoices show the breakdown the guest
-- agreed to even after the hotel's taxes change; and each child's age,
-- which prices and taxes may depend on. Rows booked before this carry
-- neither: their price reads as the rooms alone, total_cents.
ALTER TABLE reservations
	ADD COLUMN price jsonb,
	ADD COLUMN children_ages smallint[];
