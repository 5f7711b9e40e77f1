package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// decodeTargets are the request bodies readJSON decodes, one per endpoint
// that takes JSON; the fuzzer picks one per input.
var decodeTargets = []func() any{
	func() any { return &createReservationRequest{} },
	func() any { return &createHotelRequest{} },
	func() any { return &createRoomTypeRequest{} },
	func() any { return &createRatePlanRequest{} },
	func() any { return &inventoryRequest{} },
	func() any { return &ratesRequest{} },
	func() any { return &createKeyRequest{} },
	func() any { return &struct{}{} }, // emptyCommand
}

// FuzzReadJSON feeds readJSON any content type and body for every request
// type it decodes. It must never panic; it accepts only a UTF-8 JSON body
// of at most MaxBody bytes holding one value, and refuses everything else
// with a 400, 413 or 415 problem a client can read.
func FuzzReadJSON(f *testing.F) {
	valid := `{"hotel":"lisbon-riverside","room_type":"STD","rate_plan":"STD-FLEX","check_in":"2027-01-10","check_out":"2027-01-12","adults":2,"children":0,"rooms":1,"guest":{"name":"Ana Silva","email":"ana@example.com","phone":"+351 912 345 678"},"hold":false}`
	seeds := []struct {
		ct      string
		body    string
		target  uint8
		chunked bool
	}{
		{"application/json", valid, 0, false},
		{"application/json; charset=utf-8", valid, 0, true},
		{"application/json; charset=latin1", valid, 0, false},
		{"text/plain", valid, 0, false},
		{"", valid, 0, false},
		{"application/json", `{"slug":"porto","name":"P","city":"Porto","country":"PT","timezone":"Europe/Lisbon","currency":"EUR"}`, 1, false},
		{"application/json", `{"code":"STD","name":"Standard","max_adults":2,"max_children":1}`, 2, false},
		{"application/json", `{"room_type":"STD","code":"STD-NR","name":"x","refundable":false}`, 3, false},
		{"application/json", `{"room_type":"STD","from":"2027-01-01","to":"2027-02-01","units":5}`, 4, false},
		{"application/json", `{"rate_plan":"STD-FLEX","from":"2027-01-01","to":"2027-02-01","amount_cents":12000}`, 5, false},
		{"application/json", `{"name":"desk","role":"staff"}`, 6, false},
		{"application/json", `{}`, 7, false},
		{"application/json", ``, 0, false},
		{"application/json", `{`, 0, false},
		{"application/json", `[]`, 0, false},
		{"application/json", `{} {}`, 0, false},
		{"application/json", `{"adults":"two"}`, 0, false},
		{"application/json", `{"guest":{"nickname":"x"}}`, 0, false},
		{"application/json", `{"adults":1e400}`, 0, false},
		{"application/json", `{"units":-99999999999999999999}`, 4, false},
		{"application/json", `{"hotel":"\xff"}`, 0, false},
		{"application/json", `{"hotel":"\ud800"}`, 0, false},
		{"application/json", `null`, 0, false},
		{"application/json", strings.Repeat(" ", MaxBody) + `{}`, 7, true},
	}
	for _, s := range seeds {
		f.Add(s.ct, []byte(s.body), s.target, s.chunked)
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte, target uint8, chunked bool) {
		r := httptest.NewRequest(http.MethodPost, "/v1/reservations", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		if chunked {
			r.ContentLength = -1
		}
		w := httptest.NewRecorder()
		raw, err := readJSON(w, r, decodeTargets[int(target)%len(decodeTargets)]())

		mt, params, ctErr := mime.ParseMediaType(ct)
		jsonCT := ctErr == nil && mt == "application/json" &&
			(params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8"))
		if err == nil {
			switch {
			case !jsonCT:
				t.Fatalf("accepted content type %q", ct)
			case len(body) > MaxBody:
				t.Fatalf("accepted %d bytes, more than MaxBody", len(body))
			case !bytes.Equal(raw, body):
				t.Fatalf("returned body %q, sent %q", raw, body)
			case !json.Valid(body):
				t.Fatalf("accepted invalid JSON %q", body)
			}
			return
		}
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("error %T %v is not a *Problem: the client would get a 500", err, err)
		}
		want := 0
		switch {
		case !jsonCT:
			want = http.StatusUnsupportedMediaType
		case len(body) > MaxBody:
			want = http.StatusRequestEntityTooLarge
		}
		if want != 0 && p.Status != want {
			t.Fatalf("status %d, want %d (content type %q, %d bytes)", p.Status, want, ct, len(body))
		}
		if want == 0 && p.Status != http.StatusBadRequest {
			t.Fatalf("status %d for a JSON body that does not decode, want 400", p.Status)
		}
		checkProblemWrite(t, p)
	})
}

// checkProblemWrite writes p as a handler would and checks what a client
// reads: problem+json whose type, title and status agree with the
// response, and no Go-internal names in the text.
func checkProblemWrite(t *testing.T, p *Problem) {
	t.Helper()
	w := httptest.NewRecorder()
	writeProblem(w, p)
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var got struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	raw, _ := io.ReadAll(w.Body)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("problem body is not JSON: %v\n%s", err, raw)
	}
	if !strings.HasPrefix(got.Type, ProblemBase) || got.Title == "" || got.Detail == "" || got.Status != w.Code {
		t.Fatalf("problem %d lacks type, title, detail or status: %s", w.Code, raw)
	}
	for _, leak := range []string{"httpapi.", "Go struct", "Go value", "main."} {
		if strings.Contains(got.Detail, leak) {
			t.Fatalf("problem detail leaks Go internals (%q): %s", leak, got.Detail)
		}
	}
}
