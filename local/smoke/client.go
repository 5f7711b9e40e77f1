package smoke

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"innkeeper/local/apiclient"
)

// maxBody caps what is read of any answer.
const maxBody = 4 << 20

// answer is an HTTP response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// get and post are the requests of the checks; headers are name, value
// pairs.
func (r *run) get(ctx context.Context, url string, headers ...string) (answer, error) {
	return r.do(ctx, http.MethodGet, url, nil, headers...)
}

func (r *run) post(ctx context.Context, url string, body any, headers ...string) (answer, error) {
	return r.do(ctx, http.MethodPost, url, body, headers...)
}

// do sends one request, bounded by the run's timeout, and reads the answer.
func (r *run) do(ctx context.Context, method, url string, body any, headers ...string) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return answer{}, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "innkeeper-smoke")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return answer{}, fmt.Errorf("%d, reading the body: %w", resp.StatusCode, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// api requests a path of the HTTP API and counts the answer.
func (r *run) api(ctx context.Context, method, path string, body any, headers ...string) (answer, error) {
	a, err := r.do(ctx, method, r.base+path, body, headers...)
	if err == nil {
		r.apiRequests++
	}
	return a, err
}

// decode reads a JSON answer of the expected status into v, or says what
// was wrong with it.
func (a answer) decode(want int, v any) error {
	if a.status != want {
		return fmt.Errorf("%s", a.summary())
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("%d, body is not the JSON expected: %v: %s", a.status, err, clip(a.body))
	}
	return nil
}

// summary is the status and the gist of the body: a problem's title and
// detail, or the start of anything else.
func (a answer) summary() string {
	var p struct {
		Title  string            `json:"title"`
		Detail string            `json:"detail"`
		Errors map[string]string `json:"errors"`
	}
	if strings.Contains(a.header.Get("Content-Type"), "json") && json.Unmarshal(a.body, &p) == nil && (p.Title != "" || p.Detail != "") {
		s := fmt.Sprintf("%d %s: %s", a.status, p.Title, p.Detail)
		for _, field := range slices.Sorted(maps.Keys(p.Errors)) {
			s += fmt.Sprintf(" [%s %s]", field, p.Errors[field])
		}
		return s
	}
	if len(bytes.TrimSpace(a.body)) == 0 {
		return fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
	}
	return fmt.Sprintf("%d %s", a.status, clip(a.body))
}

// clip shortens a body for one line of output.
func clip(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// randomHex is n random bytes in hex, for a guest address of this run.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// generated is the API's generated client (local/apiclient) the checks
// of the booking flow call the API through, so the smoke test proves the
// OpenAPI document is usable by a client; it sends through the run's
// HTTP client and counts answers as api does.
func (r *run) generated() (*apiclient.ClientWithResponses, error) {
	if r.gen != nil {
		return r.gen, nil
	}
	c, err := apiclient.NewClientWithResponses(r.base, apiclient.WithHTTPClient(counted{r}),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("User-Agent", "innkeeper-smoke")
			return nil
		}))
	if err != nil {
		return nil, fmt.Errorf("API client: %w", err)
	}
	r.gen = c
	return c, nil
}

// counted sends a generated client's requests, counting the answers.
type counted struct{ r *run }

func (c counted) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.r.client.Do(req)
	if err == nil {
		c.r.apiRequests++
	}
	return resp, err
}

// answerOf is a generated client's answer as the checks read one.
func answerOf(resp *http.Response, body []byte) answer {
	return answer{status: resp.StatusCode, header: resp.Header, body: body}
}
