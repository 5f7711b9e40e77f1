package load

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// call sends one JSON request outside the measured load (set-up, the
// catalogue) and decodes a JSON answer into out when it has want status.
func call(ctx context.Context, client *http.Client, method, url, key string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("load: encode %s %s: %w", method, url, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return fmt.Errorf("load: %s %s: %w", method, url, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("load: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("load: %s %s: read: %w", method, url, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("load: %s %s: %d %s", method, url, resp.StatusCode, firstLine(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("load: %s %s: decode: %w", method, url, err)
		}
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
	var out []roomType
	for _, slug := range hotels {
		var detail struct {
			Hotel struct {
				RoomTypes []struct {
					Code      string `json:"code"`
					MaxAdults int    `json:"max_adults"`
				} `json:"room_types"`
				RatePlans []struct {
					Code     string `json:"code"`
					RoomType string `json:"room_type"`
				} `json:"rate_plans"`
			} `json:"hotel"`
		}
		if err := call(ctx, client, http.MethodGet, base+"/v1/hotels/"+slug, "", nil, &detail, http.StatusOK); err != nil {
			return nil, err
		}
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
