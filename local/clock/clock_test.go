package clock

import (
	"testing"
	"time"
)

func TestAdvance(t *testing.T) {
	var c Clock
	if d := c.Now().Sub(time.Now()); d > time.Millisecond || d < -time.Millisecond {
		t.Fatalf("zero clock is %v off", d)
	}
	moved := c.Moved()
	c.Advance(15 * time.Minute)
	select {
	case <-moved:
	default:
		t.Fatal("Moved not closed by Advance")
	}
	if d := c.Now().Sub(time.Now()); d < 15*time.Minute-time.Second || d > 15*time.Minute+time.Second {
		t.Fatalf("after Advance the clock is %v ahead", d)
	}
	c.Advance(-time.Hour)
	if c.Offset() != 15*time.Minute {
		t.Fatalf("a clock never goes back: offset %v", c.Offset())
	}
}
