// Package load drives a running Innkeeper over HTTP, as guests would,
// and checks afterwards in PostgreSQL that the inventory still adds up.
//
// Mixed sends availability searches and bookings, twenty to one, at a
// rate that rises in steps; bookings are random stays over the demo
// hotels' room types inside a short window of nights, so some room types
// sell out and answer 409 sold-out, which is an expected outcome. After
// the run it compares, for every room type and night, the inventory's
// sold count with the rooms of the held and confirmed reservations that
// cover that night, and sold with units.
//
// FlashSale opens a fresh room type with a handful of units for one
// night through the staff API and fires hundreds of concurrent bookings
// at it: exactly as many must succeed as there are units, every other one
// must be a sold-out problem, and PostgreSQL must agree.
//
// Requests are paced and measured by vegeta (github.com/tsenart/vegeta);
// latencies are its t-digest percentiles, from the moment a worker sends
// a request to the end of its response. At a rate the target cannot
// keep up with, requests wait for a free worker before they are sent, and
// that wait is not part of their latency: read the achieved rate beside
// the percentiles.
//
// It is a black-box client: it knows the API's JSON and problem types,
// not its code. It is meant for local stacks (make load, and the tests
// of local/devstack); it books real reservations, paid with Stripe's
// test card pm_card_visa (TestCard; holds pay nothing until confirmed),
// which the devstack's Stripe emulator takes. Never point it at
// production: its Stripe is live.
package load
