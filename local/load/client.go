package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"innkeeper/local/apiclient"
)

// api is the API's generated client (local/apiclient) at base, sending
// key as its bearer token when there is one: the load test's set-up
// talks to the API as any client developer's code would.
func api(client *http.Client, base, key string) (*apiclient.ClientWithResponses, error) {
	opts := []apiclient.ClientOption{apiclient.WithHTTPClient(client)}
	if key != "" {
		opts = append(opts, apiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+key)
			return nil
		}))
	}
	c, err := apiclient.NewClientWithResponses(base, opts...)
	if err != nil {
		return nil, fmt.Errorf("load: client for %s: %w", base, err)
	}
	return c, nil
}

// expect is an error naming op when the answer is not status want.
func expect(op string, status int, body []byte, want int) error {
	if status != want {
		return fmt.Errorf("load: %s: %d %s", op, status, firstLine(body))
	}
	return nil
}

// roomType is what bookings of a room type need to know.
type roomType struct {
	hotel, code string
	maxAdults   int
	ratePlans   []string
}

// catalogue reads the room types and rate plans of the hotels.
func catalogue(ctx context.Context, client *http.Client, base string, hotels []string) ([]roomType, error) {
	c, err := api(client, base, "")
	if err != nil {
		return nil, err
	}
	var out []roomType
	for _, slug := range hotels {
		res, err := c.GetHotelWithResponse(ctx, slug)
		if err != nil {
			return nil, fmt.Errorf("load: GET /v1/hotels/%s: %w", slug, err)
		}
		if err := expect("GET /v1/hotels/"+slug, res.StatusCode(), res.Body, http.StatusOK); err != nil {
			return nil, err
		}
		detail := res.JSON200
		for _, rt := range detail.Hotel.RoomTypes {
			t := roomType{hotel: slug, code: rt.Code, maxAdults: rt.MaxAdults}
			for _, p := range detail.Hotel.RatePlans {
				if p.RoomType == rt.Code {
					t.ratePlans = append(t.ratePlans, p.Code)
				}
			}
			if len(t.ratePlans) > 0 {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load: no bookable room types in %v", hotels)
	}
	return out, nil
}

// runID names a run in its idempotency keys, guest addresses and the
// flash sale's hotel.
func runID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
