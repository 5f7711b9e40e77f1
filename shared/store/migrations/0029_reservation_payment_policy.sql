-- A reservation keeps the payment policy of its plan as booked, like its
-- cancellation terms, so a later edit of the plan does not change what a
-- guest agreed to pay when. NULL on reservations booked before payment
-- policies (or by a release that does not know the columns): they read as
-- the default for their terms (booking.DefaultPolicy).
ALTER TABLE reservations
    ADD COLUMN payment_policy text CHECK (payment_policy IN ('guarantee', 'deposit', 'prepay')),
    ADD COLUMN deposit_percent smallint CHECK (deposit_percent BETWEEN 0 AND 99);
