package gateway

import (
	"errors"
	"maps"
	"testing"
)

func TestParseResponse(t *testing.T) {
	jsonType := map[string]string{"content-type": "application/json"}
	tests := []struct {
		name        string
		payload     string
		wantStatus  int
		wantHeaders map[string]string
		wantBody    string
		wantCookies int
		wantErr     bool
	}{
		{
			name:        "structured",
			payload:     `{"statusCode":201,"headers":{"content-type":"text/html","x-multi":"a,b"},"cookies":["a=1","b=2"],"body":"<p>hi</p>"}`,
			wantStatus:  201,
			wantHeaders: map[string]string{"content-type": "text/html", "x-multi": "a,b"},
			wantBody:    "<p>hi</p>",
			wantCookies: 2,
		},
		{
			name:       "structured, only a status",
			payload:    `{"statusCode":204}`,
			wantStatus: 204,
		},
		{
			name:       "structured, base64 body kept encoded",
			payload:    `{"statusCode":200,"body":"AAEC","isBase64Encoded":true}`,
			wantStatus: 200,
			wantBody:   "AAEC",
		},
		{name: "inferred object", payload: `{"hello":"world"}`, wantStatus: 200, wantHeaders: jsonType, wantBody: `{"hello":"world"}`},
		{name: "inferred string", payload: `"hello"`, wantStatus: 200, wantHeaders: jsonType, wantBody: `"hello"`},
		{name: "inferred number", payload: `42`, wantStatus: 200, wantHeaders: jsonType, wantBody: `42`},
		{name: "inferred array", payload: `[{"statusCode":500}]`, wantStatus: 200, wantHeaders: jsonType, wantBody: `[{"statusCode":500}]`},
		{name: "inferred null", payload: `null`, wantStatus: 200, wantHeaders: jsonType, wantBody: `null`},
		{name: "redirect", payload: `{"statusCode":302,"headers":{"location":"/x"}}`, wantStatus: 302, wantHeaders: map[string]string{"location": "/x"}},
		{name: "highest status", payload: `{"statusCode":599}`, wantStatus: 599},
		{name: "not JSON", payload: `{oops`, wantErr: true},
		{name: "empty", payload: ``, wantErr: true},
		{name: "plain text", payload: `hello`, wantErr: true},
		{name: "statusCode a string", payload: `{"statusCode":"200"}`, wantErr: true},
		{name: "statusCode null", payload: `{"statusCode":null}`, wantErr: true},
		{name: "statusCode too low", payload: `{"statusCode":100}`, wantErr: true},
		{name: "statusCode too high", payload: `{"statusCode":600}`, wantErr: true},
		{name: "body not base64", payload: `{"statusCode":200,"body":"***","isBase64Encoded":true}`, wantErr: true},
		{name: "headers not strings", payload: `{"statusCode":200,"headers":{"x":1}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseResponse([]byte(tt.payload))
			if tt.wantErr {
				if !errors.Is(err, ErrBadResponse) {
					t.Fatalf("error %v, want ErrBadResponse", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if !maps.Equal(res.Headers, tt.wantHeaders) {
				t.Errorf("headers %v, want %v", res.Headers, tt.wantHeaders)
			}
			if res.Body != tt.wantBody {
				t.Errorf("body %q, want %q", res.Body, tt.wantBody)
			}
			if len(res.Cookies) != tt.wantCookies {
				t.Errorf("cookies %v, want %d", res.Cookies, tt.wantCookies)
			}
		})
	}
}
