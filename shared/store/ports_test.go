package store_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/jobs"
	"innkeeper/shared/notify"
	"innkeeper/shared/promtext"
	"innkeeper/shared/queue"
	"innkeeper/shared/store"
)

// The store implements the interfaces its users declare (booking.Store
// is checked beside the store itself).
var (
	_ queue.Outbox = (*store.Store)(nil)
	_ jobs.Store   = (*store.Store)(nil)
	_ notify.Store = (*store.Store)(nil)
	_              = func(st *store.Store) promtext.Sources { return promtext.Sources{Bookings: st.BookingCounts} }
)

// The packages whose interfaces the store implements do not import it:
// they declare what they need, their unit tests use fakes, and they do
// not link the database driver; the store, the adapter, depends on them,
// never the reverse.
func TestUsersDoNotImportTheStore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	pkgs := []string{"booking", "queue", "jobs", "notify", "promtext"}
	for _, name := range pkgs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pkg := "innkeeper/shared/" + name
			out, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, pkg) {
				t.Fatalf("go list -deps %s does not list the package itself: %q", pkg, deps)
			}
			if slices.Contains(deps, "innkeeper/shared/store") {
				t.Errorf("%s imports innkeeper/shared/store (go list -deps ./shared/%s); declare the interface or type it needs in %[1]s instead", pkg, name)
			}
		})
	}
}
