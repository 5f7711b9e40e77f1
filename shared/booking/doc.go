// Package booking is the domain of Innkeeper: hotels, their room types and rate
// plans, nightly inventory and prices, and the life of a reservation from
// search to cancellation.
//
// It knows nothing of HTTP, SQL, Redis or Lambda. It declares the Store it
// needs and the errors callers map to responses; adapters (package store)
// implement the Store, edges (package httpapi) translate errors.
package booking
