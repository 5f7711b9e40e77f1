package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/meter"
)

// The hotel on a request's cost line is one that exists: a slug as sent
// (any length, any hotel) is recorded only once it named a real hotel.
func TestCostLineRecordsOnlyRealHotels(t *testing.T) {
	t.Parallel()
	api := testenv.NewAPI(t, testenv.APIOptions{})
	huge := strings.Repeat("a", 64<<10)
	stay := "/availability?check_in=2027-01-10&check_out=2027-01-11"
	book := func(hotel string) []byte {
		b, _ := json.Marshal(bookingBody(set("hotel", hotel)))
		return b
	}
	tests := []struct {
		name, method, path string
		body               []byte
		want               string
	}{
		{name: "search, real hotel", method: "GET", path: "/v1/hotels/lisbon-riverside" + stay, want: "lisbon-riverside"},
		{name: "search, no such hotel", method: "GET", path: "/v1/hotels/no-such-hotel" + stay},
		{name: "search, 64 KiB slug", method: "GET", path: "/v1/hotels/" + huge + stay},
		{name: "hotel, no such hotel", method: "GET", path: "/v1/hotels/no-such-hotel"},
		{name: "book, real hotel", method: "POST", path: "/v1/reservations", body: book("lisbon-riverside"), want: "lisbon-riverside"},
		{name: "book, no such hotel", method: "POST", path: "/v1/reservations", body: book("no-such-hotel")},
		{name: "book, 64 KiB hotel", method: "POST", path: "/v1/reservations", body: book(huge)},
		{name: "staff list, no such hotel", method: "GET", path: "/v1/admin/hotels/no-such-hotel/reservations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, inv := meter.Start(context.Background(), "api", meter.TriggerHTTP, "", 0)
			req := httptest.NewRequestWithContext(ctx, tt.method, tt.path, bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", newKey())
			req.Header.Set("Authorization", "Bearer "+testenv.AdminKey)
			w := httptest.NewRecorder()
			api.ServeHTTP(w, req)
			if tt.want != "" && w.Code >= 300 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if tt.want == "" && w.Code < 400 && w.Code != http.StatusOK {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if got := inv.Attribution().Hotel; got != tt.want {
				t.Errorf("hotel on the cost line %.40q (%d bytes), want %q", got, len(got), tt.want)
			}
		})
	}
}
