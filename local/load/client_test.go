package load

import (
	"context"
	"net/http"
	"testing"

	"innkeeper/local/testenv"
)

// TestCatalogueThroughTheGeneratedClient reads the demo catalogue with the
// generated client from a real API, whose every answer is checked against
// the OpenAPI document (testenv).
func TestCatalogueThroughTheGeneratedClient(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	rts, err := catalogue(context.Background(), http.DefaultClient, api.URL, []string{"lisbon-riverside"})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rts {
		if rt.hotel != "lisbon-riverside" || rt.code == "" || rt.maxAdults < 1 || len(rt.ratePlans) == 0 {
			t.Errorf("room type %+v: want a code, adults and rate plans of lisbon-riverside", rt)
		}
	}
	if len(rts) != 3 {
		t.Errorf("%d room types, want the demo's 3", len(rts))
	}
	if _, err := catalogue(context.Background(), http.DefaultClient, api.URL, []string{"nowhere"}); err == nil {
		t.Error("an unknown hotel gave no error")
	}
}
