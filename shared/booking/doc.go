// Package booking is the domain of Innkeeper: hotels, their room types and rate
// plans, nightly inventory and prices, and the life of a reservation from
// search to check-out. Its statuses and what each action does from each
// are one table (status.go), which every rule consults first: the guest's
// confirm, cancel and modify (modify.go), the expiry of holds and the
// front desk's actions (Service.Desk, Service.DeskModify).
//
// It knows nothing of HTTP, SQL, Redis or Lambda. It declares the Store it
// needs and the errors callers map to responses; adapters (package store)
// implement the Store, edges (package httpapi) translate errors.
package booking
