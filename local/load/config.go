package load

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Config says where the stack is and how hard to push it.
type Config struct {
	// URL is the HTTP API's base, e.g. http://127.0.0.1:3000.
	URL string
	// DatabaseURL is the stack's PostgreSQL (with its search_path, if the
	// stack uses a schema of its own); the checks read it directly.
	DatabaseURL string
	// AdminKey is an API key with the admin role; FlashSale creates its
	// hotel, room type, inventory and rates with it.
	AdminKey string

	// Duration of the whole mixed run, split evenly over Rates; 30 s if 0.
	Duration time.Duration
	// Rates are the requests per second of each step, rising; 50, 100
	// and 200 if empty.
	Rates []int
	// MaxWorkers bounds the requests in flight in any step; 64 if 0.
	MaxWorkers int
	// Timeout bounds each request; 10 s if 0.
	Timeout time.Duration
	// SearchesPerBooking is the mix: this many searches for each booking;
	// 20 if 0.
	SearchesPerBooking int
	// Hotels are the slugs whose room types are searched and booked; the
	// two demo hotels if empty.
	Hotels []string
	// WindowStart is how many days from today the window of nights
	// starts; if 0, a random day 60 to 300 days ahead, so repeated runs
	// against one database mostly meet fresh inventory.
	WindowStart int
	// WindowDays is the number of nights searched and booked; 10 if 0.
	// Stays are 1 to 3 nights inside it. A short window sells out sooner.
	WindowDays int

	// FlashClients race for FlashUnits rooms of one night; 500 and 10 if 0.
	FlashClients int
	FlashUnits   int
}

// Demo hotel slugs, as shared/demo seeds them.
var demoHotels = []string{"lisbon-riverside", "nyc-midtown"}

// withDefaults fills in what is unset.
func (c Config) withDefaults() Config {
	c.URL = strings.TrimRight(c.URL, "/")
	if c.Duration <= 0 {
		c.Duration = 30 * time.Second
	}
	if len(c.Rates) == 0 {
		c.Rates = []int{50, 100, 200}
	}
	if c.MaxWorkers <= 0 {
		c.MaxWorkers = 64
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.SearchesPerBooking <= 0 {
		c.SearchesPerBooking = 20
	}
	if len(c.Hotels) == 0 {
		c.Hotels = demoHotels
	}
	if c.WindowStart <= 0 {
		c.WindowStart = 60 + rand.IntN(241)
	}
	if c.WindowDays <= 0 {
		c.WindowDays = 10
	}
	if c.FlashClients <= 0 {
		c.FlashClients = 500
	}
	if c.FlashUnits <= 0 {
		c.FlashUnits = 10
	}
	return c
}

func (c Config) validate(needAdmin bool) error {
	var problems []string
	if !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://") {
		problems = append(problems, "URL must be http:// or https://")
	}
	if c.DatabaseURL == "" {
		problems = append(problems, "DatabaseURL is required (the checks read PostgreSQL)")
	}
	if needAdmin && c.AdminKey == "" {
		problems = append(problems, "AdminKey is required (an admin API key)")
	}
	for i, r := range c.Rates {
		if r <= 0 {
			problems = append(problems, "every rate must be positive")
			break
		}
		if i > 0 && r < c.Rates[i-1] {
			problems = append(problems, "rates must rise step by step")
			break
		}
	}
	if c.FlashUnits >= c.FlashClients {
		problems = append(problems, "FlashUnits must be fewer than FlashClients")
	}
	if len(problems) > 0 {
		return errors.New("load: " + strings.Join(problems, "; "))
	}
	return nil
}

// newClient is an HTTP client for at most conns requests in flight to
// one host, bounded by timeout.
func newClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     30 * time.Second,
		},
		// An answer is measured as it comes; a redirect would be a bug.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
