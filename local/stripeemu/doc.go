// Package stripeemu emulates the part of Stripe's API in test mode that
// Innkeeper calls, with state, for the local stack.
//
// stripe-mock, Stripe's own mock, checks that every request is well
// formed but answers fixtures: a PaymentIntent created with a declined
// card still "succeeds", a confirmed one is never found again, and no
// webhook follows. The devstack needs the flow itself (a hold waiting on
// 3-D Secure, confirmed by the webhook; a refund bounded by what was
// captured), so this server keeps what it was asked in memory and
// answers as Stripe would. The real stripe-go client talks to it
// unchanged; only the backend URL differs.
//
// What it serves (form-encoded bodies, Authorization: Bearer sk_test_…):
//
//   - PaymentIntents: create (confirm=true with a payment_method, or later
//     through /confirm), confirm, cancel, retrieve; off-session charges
//     (off_session=true&confirm=true) of a saved card;
//   - SetupIntents: create (confirm=true, usage=off_session), retrieve;
//   - Refunds: create for a payment_intent or a charge, never more than
//     was captured minus what was refunded;
//   - PaymentMethods and Events: retrieve;
//   - Idempotency-Key: the same key with the same parameters replays the
//     first answer (Idempotent-Replayed: true), with other parameters it
//     is a 400 idempotency_error; requests racing on one key wait for the
//     first, so twenty concurrent retries create one PaymentIntent.
//
// The cards are Stripe's test PaymentMethods, by id: pm_card_visa and
// pm_card_mastercard succeed, pm_card_chargeDeclined is declined (402
// card_declined), pm_card_chargeDeclinedInsufficientFunds (alias
// pm_card_insufficientFunds) is declined for insufficient funds, and
// pm_card_authenticationRequired needs 3-D Secure on every payment: on
// session the intent waits in requires_action with a next_action, off
// session it fails with authentication_required.
//
// Every change of state is a Stripe event (payment_intent.succeeded,
// payment_intent.payment_failed, payment_intent.canceled,
// setup_intent.succeeded, setup_intent.setup_failed, charge.refunded),
// posted asynchronously to the webhook URL, signed as Stripe signs
// (Stripe-Signature: t=…,v1=HMAC-SHA256 of "t.payload"), and retried with
// backoff while the receiver fails. Events are not ordered, as Stripe's
// are not.
//
// The control endpoints under /_emulator/ stand in for the guest's browser
// and for Stripe's dashboard:
//
//   - POST /_emulator/payment_intents/{id}/authenticate?result=succeed|fail
//     (and /_emulator/setup_intents/{id}/authenticate) completes or fails
//     3-D Secure; a GET of the same path is the page next_action's
//     redirect_to_url points at;
//   - GET /_emulator/events lists every event with its delivery attempts;
//   - POST /_emulator/events/{id}/resend delivers one again, now, and
//     answers the receiver's status (for replay tests);
//   - POST /_emulator/webhooks/pause holds the events from then on, and
//     POST /_emulator/webhooks/resume sends those no resend delivered (for
//     late and reordered events).
//
// What it leaves out: captures (capture_method=manual), customers beyond
// an id, disputes, Connect, live keys (refused), and the rest of the API.
package stripeemu
