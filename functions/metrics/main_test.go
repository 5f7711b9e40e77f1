package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/bootstrap/apigw"
	"innkeeper/shared/bootstrap/scrape"
	"innkeeper/shared/config"
	"innkeeper/shared/logging"
)

func TestSampleEvents(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "APP_ENV":
			return "test"
		case "DATABASE_URL":
			return testenv.DatabaseURL()
		case "REDIS_URL":
			return testenv.RedisURL()
		case "REDIS_KEY_PREFIX":
			return "test:" + api.Schema + ":"
		case "METRICS_TOKEN":
			return "local-metrics-token-0123456789"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := scrape.New(context.Background(), cfg, logging.Discard(), scrape.Options{SearchPath: api.Schema})
	if err != nil {
		t.Fatal(err)
	}
	handle := apigw.Metered("metrics", logging.Discard(), h)
	for name, want := range map[string]int{"scrape": 200, "scrape-no-token": 401} {
		raw, err := os.ReadFile("../../events/metrics/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		out, err := handle(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp := out.(events.APIGatewayV2HTTPResponse)
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d: %s", name, resp.StatusCode, want, resp.Body)
		}
		if want == 200 && (!strings.Contains(resp.Body, "hotel_bookings_total{hotel=") || !strings.Contains(resp.Headers["Content-Type"], "text/plain")) {
			t.Errorf("%s: not the exposition of the bookings:\n%s", name, resp.Body)
		}
	}
}
