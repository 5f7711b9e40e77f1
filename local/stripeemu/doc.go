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
//   - Customers: create (name, email, metadata), retrieve; an intent that
//     names a customer that does not exist is resource_missing;
//   - PaymentIntents: create (confirm=true with a payment_method, or later
//     through /confirm), confirm, cancel, retrieve; off-session charges
//     (customer, payment_method, off_session=true, confirm=true) of a
//     saved card;
//   - SetupIntents: create (confirm=true, usage=off_session), confirm,
//     retrieve: a card set up for a customer is attached to it;
//   - Refunds: create for a payment_intent or a charge, never more than
//     was captured minus what was refunded;
//   - PaymentMethods and Events: retrieve;
//   - Idempotency-Key: the same key with the same parameters replays the
//     first answer (Idempotent-Replayed: true), with other parameters it
//     is a 400 idempotency_error; a request that failed validation keeps
//     no answer, as in Stripe. Requests racing on one key wait for the
//     first (Stripe answers them 409 idempotency_key_in_use, which
//     stripe-go retries), so twenty concurrent retries make one
//     PaymentIntent.
//
// Every object carries metadata exactly as sent, and customer and
// payment_method as ids.
//
// The cards are Stripe's test PaymentMethods, by id; as in Stripe, each
// use of a test id makes a new PaymentMethod (pm_emu…) that behaves as
// the card. A PaymentMethod attached to a customer is charged only with
// that customer; one used without a customer may not be used again.
//
//   - pm_card_visa, pm_card_mastercard: succeed;
//   - pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds
//     (alias pm_card_insufficientFunds): declined (402 card_declined,
//     generic_decline or insufficient_funds), on a payment and a setup;
//   - pm_card_chargeCustomerFail: saved fine, every charge declined;
//   - pm_card_authenticationRequired: 3-D Secure on every payment and
//     setup; off session it fails with authentication_required (402, the
//     intent back in requires_payment_method);
//   - pm_card_authenticationRequiredOnSetup: 3-D Secure on session; off
//     session only until a setup (or setup_future_usage) saved it;
//   - pm_card_authenticationRequiredSetupForOffSession: 3-D Secure on
//     session, never off session;
//   - pm_card_authenticationRequiredChargeDeclinedInsufficientFunds: as
//     the previous but one, and declined insufficient_funds once
//     authenticated.
//
// Every change of state is a Stripe event (payment_intent.succeeded,
// payment_intent.payment_failed, payment_intent.canceled,
// setup_intent.succeeded, setup_intent.setup_failed, refund.created,
// charge.refunded),
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
// What it leaves out: captures (capture_method=manual), listing or
// updating customers and attaching cards outside a setup, disputes,
// Connect, live keys (refused), and the rest of the API.
package stripeemu
