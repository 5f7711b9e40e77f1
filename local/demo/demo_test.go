package demo_test

import (
	"os"
	"path/filepath"
	"testing"

	"innkeeper/local/demo"
)

// The demo catalogue is valid, is the file at Path, and has what the
// demo reservations (shared/demo) and the smoke test's preferred hotel
// need.
func TestDemoCatalogue(t *testing.T) {
	cat, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(filepath.Join("..", "..", demo.Path))
	if err != nil || string(onDisk) != string(demo.File) {
		t.Fatalf("Path %s is not the embedded file: %v", demo.Path, err)
	}
	want := map[string]bool{"lisbon-riverside/STD/STD-FLEX": false, "lisbon-riverside/DLX/DLX-NR": false}
	for _, h := range cat.Hotels {
		for _, rt := range h.RoomTypes {
			for _, p := range rt.RatePlans {
				if _, ok := want[h.Slug+"/"+rt.Code+"/"+p.Code]; ok {
					want[h.Slug+"/"+rt.Code+"/"+p.Code] = true
				}
			}
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("the demo catalogue lacks %s", k)
		}
	}
	if len(cat.Hotels) < 2 {
		t.Errorf("%d hotels, want two (time zones and currencies differ)", len(cat.Hotels))
	}
}
