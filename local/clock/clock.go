// Package clock is the devstack's clock: real time plus an offset that
// tests can move forward, so a hold expires, a message's visibility
// timeout ends or a daily schedule fires without waiting for it.
package clock

import (
	"sync"
	"time"
)

// Clock is wall time shifted by an adjustable offset. The zero Clock is
// real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	moved  chan struct{} // closed and replaced at each Advance
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d and wakes whoever waits on Moved.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	c.mu.Unlock()
}

// Moved returns a channel closed the next time the clock is advanced, so
// a loop sleeping until a time can wake early when the time jumps.
func (c *Clock) Moved() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}

// Offset is how far the clock is ahead of wall time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
