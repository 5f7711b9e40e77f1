package contract_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"innkeeper/local/contract"
)

// recorder is a testing.TB that keeps what Errorf is told, so a test can
// assert that the middleware fails the test that made a bad call.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

const doc = `
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /v1/things/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [count]
                properties: {count: {type: integer}}
        '404':
          description: none
          content:
            application/problem+json:
              schema: {type: object, required: [status], properties: {status: {type: integer}}}
`

func TestCheck(t *testing.T) {
	v, err := contract.New([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		ctype   string
		body    string
		wantErr string // "" for a clean exchange
	}{
		{name: "documented", method: "GET", path: "/v1/things/1", status: 200, ctype: "application/json", body: `{"count":3}`},
		{name: "documented problem", method: "GET", path: "/v1/things/1", status: 404, ctype: "application/problem+json", body: `{"status":404}`},
		{name: "string where the schema wants an integer", method: "GET", path: "/v1/things/1", status: 200, ctype: "application/json",
			body: `{"count":"three"}`, wantErr: "response does not match"},
		{name: "undocumented status", method: "GET", path: "/v1/things/1", status: 418, ctype: "application/json",
			body: `{}`, wantErr: "418"},
		{name: "undocumented content type", method: "GET", path: "/v1/things/1", status: 200, ctype: "text/plain",
			body: `hello`, wantErr: "response does not match"},
		{name: "invalid request succeeds", method: "GET", path: "/v1/things/abc", status: 200, ctype: "application/json",
			body: `{"count":1}`, wantErr: "the document says the request is invalid"},
		{name: "undocumented route succeeds", method: "GET", path: "/v1/other", status: 200, ctype: "application/json",
			body: `{}`, wantErr: "route not in the document"},
		{name: "undocumented method succeeds", method: "DELETE", path: "/v1/things/1", status: 204, ctype: "application/json",
			wantErr: "route not in the document"},
		{name: "undocumented route refused", method: "GET", path: "/v1/other", status: 404, ctype: "application/problem+json",
			body: `{"status":404}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			rec := &recorder{TB: t}
			srv := httptest.NewServer(v.Check(rec, h))
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Errorf("the client got %d, want the handler's %d passed through", res.StatusCode, tt.status)
			}
			srv.Close()
			got := strings.Join(rec.errors, "\n")
			switch {
			case tt.wantErr == "" && got != "":
				t.Errorf("a clean exchange was reported: %s", got)
			case tt.wantErr != "" && !strings.Contains(got, tt.wantErr):
				t.Errorf("errors %q, want one containing %q", got, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(got, tt.method+" "+tt.path):
				t.Errorf("errors %q do not name the call %s %s", got, tt.method, tt.path)
			}
		})
	}
}

// TestDefaultBuilds checks the API's own document is one the validator
// accepts.
func TestDefaultBuilds(t *testing.T) {
	if _, err := contract.Default(); err != nil {
		t.Fatal(err)
	}
}

// TestTheAPIDocumentIsEnforced checks the API's own document refuses a
// wrong answer to a real route, so a drift between it and the code fails.
func TestTheAPIDocumentIsEnforced(t *testing.T) {
	v, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		status             int
		ctype, body        string
		wantErr            string
	}{
		{name: "hotels as documented", method: "GET", path: "/v1/hotels", status: 200, ctype: "application/json",
			body: `{"hotels":[{"slug":"a","name":"A","city":"Lisbon","country":"PT","timezone":"Europe/Lisbon","currency":"EUR"}]}`},
		{name: "a hotel without its currency", method: "GET", path: "/v1/hotels", status: 200, ctype: "application/json",
			body: `{"hotels":[{"slug":"a","name":"A","city":"Lisbon","country":"PT","timezone":"Europe/Lisbon"}]}`, wantErr: "currency"},
		{name: "a total as a string", method: "GET", path: "/v1/reservations/INK-7K2M9Q/cancellation-quote", status: 200,
			ctype: "application/json", body: `{"reference":"INK-7K2M9Q","total_cents":"12"}`, wantErr: "response does not match"},
		{name: "a problem without its detail", method: "GET", path: "/v1/hotels/nowhere", status: 404,
			ctype: "application/problem+json", body: `{"type":"https://innkeeper.dev/problems/not-found","title":"Not found","status":404}`,
			wantErr: "detail"},
		{name: "an undocumented status", method: "GET", path: "/livez", status: 201, ctype: "application/json",
			body: `{"status":"ok"}`, wantErr: "201"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			rec := &recorder{TB: t}
			srv := httptest.NewServer(v.Check(rec, h))
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer rat_0123456789")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			srv.Close()
			got := strings.Join(rec.errors, "\n")
			switch {
			case tt.wantErr == "" && got != "":
				t.Errorf("a documented exchange was reported: %s", got)
			case tt.wantErr != "" && !strings.Contains(got, tt.wantErr):
				t.Errorf("errors %q, want one containing %q", got, tt.wantErr)
			}
		})
	}
}

// docWithDefault has an operation whose only error response is
// `default`, one that lists a 500 and a 503, and one with a 4XX range.
const docWithDefault = `
openapi: 3.1.0
info: {title: t, version: "1"}
components:
  responses:
    Problem:
      description: a problem
      content:
        application/problem+json:
          schema: {type: object, required: [status], properties: {status: {type: integer}}}
paths:
  /v1/defaulted:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object}
        default: {$ref: '#/components/responses/Problem'}
  /v1/listed:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object}
        '500': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Problem'}
  /v1/ranged:
    get:
      responses:
        '204': {description: none}
        4XX: {$ref: '#/components/responses/Problem'}
`

// TestUnlistedStatus checks that a status code counts as documented only
// where the operation lists it by itself, and that a 500 always fails.
func TestUnlistedStatus(t *testing.T) {
	v, err := contract.New([]byte(docWithDefault))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		status  int
		ctype   string
		body    string
		wantErr string // "" for a clean exchange
	}{
		{name: "listed 200 beside a default", path: "/v1/defaulted", status: 200, ctype: "application/json", body: `{}`},
		{name: "404 only under default", path: "/v1/defaulted", status: 404, ctype: "application/problem+json",
			body: `{"status":404}`, wantErr: "status 404 is not listed for GET /v1/defaulted"},
		{name: "409 only under default", path: "/v1/defaulted", status: 409, ctype: "application/problem+json",
			body: `{"status":409}`, wantErr: "status 409 is not listed"},
		{name: "500 only under default", path: "/v1/defaulted", status: 500, ctype: "application/problem+json",
			body: `{"status":500}`, wantErr: "500: the API failed"},
		{name: "503 only under default", path: "/v1/defaulted", status: 503, ctype: "application/problem+json",
			body: `{"status":503}`, wantErr: "status 503 is not listed"},
		{name: "500 even where listed", path: "/v1/listed", status: 500, ctype: "application/problem+json",
			body: `{"status":500}`, wantErr: "500: the API failed"},
		{name: "503 where listed", path: "/v1/listed", status: 503, ctype: "application/problem+json", body: `{"status":503}`},
		{name: "502 not listed", path: "/v1/listed", status: 502, ctype: "application/problem+json",
			body: `{"status":502}`, wantErr: "status 502 is not listed"},
		{name: "404 only under a range", path: "/v1/ranged", status: 404, ctype: "application/problem+json",
			body: `{"status":404}`, wantErr: "status 404 is not listed"},
		{name: "listed 204", path: "/v1/ranged", status: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			rec := &recorder{TB: t}
			srv := httptest.NewServer(v.Check(rec, h))
			res, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			srv.Close()
			got := strings.Join(rec.errors, "\n")
			switch {
			case tt.wantErr == "" && got != "":
				t.Errorf("a documented exchange was reported: %s", got)
			case tt.wantErr != "" && !strings.Contains(got, tt.wantErr):
				t.Errorf("errors %q, want one containing %q", got, tt.wantErr)
			}
		})
	}
}
