package browser

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The finance and front-desk views as their users see them, in Chromium,
// against a devstack: every figure the finance view shows is the API's,
// and the front desk checks a guest in.

// apiReply is an API answer: its status and its JSON body.
type apiReply struct {
	status int
	body   map[string]any
}

// callAPI sends a request to the devstack's API as key.
func callAPI(t *testing.T, method, url, key string, body any, header ...string) apiReply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	out := apiReply{status: res.StatusCode, body: map[string]any{}}
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// newKey makes an API key of role with the admin key and returns its secret.
func newKey(t *testing.T, base, admin, role string) string {
	t.Helper()
	r := callAPI(t, "POST", base+"/v1/admin/api-keys", admin, map[string]any{"name": "browser " + role, "role": role})
	secret, _ := r.body["secret"].(string)
	if r.status != 201 || secret == "" {
		t.Fatalf("create a %s key: %d %v", role, r.status, r.body)
	}
	return secret
}

// tableRow is one row of a data table: each cell's exact figure by its
// column's key (data-key → data-value).
type tableRow map[string]string

// readTable reads the data table data-table=id, body rows and total rows.
func readTable(ctx context.Context, id string) (rows, totals []tableRow, err error) {
	js := fmt.Sprintf(`(() => {
		const t = document.querySelector('table[data-table=%q]');
		const read = (sel) => t ? [...t.querySelectorAll(sel)].map(tr => Object.fromEntries([...tr.children].map(c => [c.dataset.key, c.dataset.value]))) : [];
		return {rows: read('tbody tr'), totals: read('tfoot tr')};
	})()`, id)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Rows   []tableRow `json:"rows"`
		Totals []tableRow `json:"totals"`
	}](js))
	return got.Rows, got.Totals, err
}

// readCSV fetches, in the page, the file the figure's Download CSV link
// offers, and parses it into rows keyed by its header.
func readCSV(ctx context.Context, id string) ([]tableRow, error) {
	// Fetching the blob: URL would be a connection the console's CSP
	// does not allow (connect-src 'self'); the blob itself is at hand
	// (keepBlobs).
	js := fmt.Sprintf(`(() => { const href = document.querySelector('a[data-csv=%q]').href;
		const b = window.__innkeeperBlobs && window.__innkeeperBlobs.get(href);
		return b ? b.text() : Promise.reject(new Error('no blob for ' + href)); })()`, id)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("csv of %s: %v (%q)", id, err, text)
	}
	var out []tableRow
	for _, rec := range recs[1:] {
		row := tableRow{}
		for i, k := range recs[0] {
			row[k] = rec[i]
		}
		out = append(out, row)
	}
	return out, nil
}

// sameAsCSV checks that the CSV holds exactly the table's rows and totals.
func sameAsCSV(rows, totals, file []tableRow) error {
	all := append(append([]tableRow{}, rows...), totals...)
	if len(all) != len(file) {
		return fmt.Errorf("the CSV has %d rows, the table %d", len(file), len(all))
	}
	for i := range all {
		for k, v := range all[i] {
			if file[i][k] != v {
				return fmt.Errorf("row %d %s: CSV %q, table %q", i, k, file[i][k], v)
			}
		}
	}
	return nil
}

// str is an API figure as the table keeps it: a string as is, a number
// in its integer form, null as empty.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprintf("%.0f", x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// field reads a nested field of an API answer ("marginal.per_booking.cost").
func field(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// untilSame compares, until deadline, what the page shows (after reload
// shows the figure again) with what the API answers now: the ledger
// grows with every request, the page's own included, so the two are read
// close together and compared again when a delivery of cost fell
// between them. A reload that fails is tried again too. It fails with
// the last difference or error.
func untilSame(t *testing.T, what string, deadline time.Duration, reload func() error, compare func() error) {
	t.Helper()
	var err error
	for end := time.Now().Add(deadline); time.Now().Before(end); {
		if err = reload(); err != nil {
			err = fmt.Errorf("reload: %w", err)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if err = compare(); err == nil {
			return
		}
	}
	t.Fatalf("%s: the page's figures are not the API's: %v", what, err)
}
