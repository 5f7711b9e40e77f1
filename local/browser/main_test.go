package browser

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// stack is the devstack every test of the package uses.
var stack *Stack

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	s, err := StartStack(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stack = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}
