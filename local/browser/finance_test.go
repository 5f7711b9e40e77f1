package browser

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFinanceSeesTheFiguresTheAPIReturns signs in with a finance key and
// reads every chart's data table and CSV file against what the API
// answers for the same query: costs per day by function and by route,
// cost per booking, the reconciliation, revenue beside cost and one
// booking's cost receipt.
func TestFinanceSeesTheFiguresTheAPIReturns(t *testing.T) {
	c := consoleUnderTest(t)
	fin := newKey(t, c.base, c.admin, "finance")
	ref := bookToday(t, c, "finance-receipt")
	// The booking's cost reaches the ledger from the functions' logs.
	waitFor(t, "the booking's cost receipt", 60*time.Second, func() bool {
		r := callAPI(t, "GET", c.base+"/v1/finance/reservations/"+ref+"/cost", fin, nil)
		lines, _ := r.body["lines"].([]any)
		return r.status == 200 && len(lines) > 0
	})

	tab, ctx := staffTab(t, 1280, 1000)
	tab.SignIn(fin)
	today := time.Now().UTC()
	from, to := today.AddDate(0, 0, -1).Format(time.DateOnly), today.Format(time.DateOnly)
	get := func(path string) map[string]any {
		r := callAPI(t, "GET", c.base+path, fin, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %v", path, r.status, r.body)
		}
		return r.body
	}
	// open shows the finance view for [from, to], its figures loaded.
	open := func() error {
		return chromedp.Do(ctx,
			chromedp.Navigate(c.base+"/#/finance"),
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`#range-from`)),
			script(fmt.Sprintf(`
				const set = (id, v) => { const el = document.getElementById(id); el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); };
				set('range-from', %q); set('range-to', %q)`, from, to)),
			chromedp.Click(chromedp.CSS(`form.range button[type=submit]`)),
			loaded("costs-by-day"), loaded("cost-per-booking"), loaded("reconciliation"), loaded("revenue"),
		)
	}

	// Cost per day by function, then by route: each day's report.
	for _, by := range []string{"function", "route"} {
		show := func() error {
			if err := open(); err != nil {
				return err
			}
			return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=costs-stack][value=`+by+`]`)), loaded("costs-by-day"))
		}
		untilSame(t, "costs by "+by, 60*time.Second, show, func() error {
			rows, _, err := readTable(ctx, "costs-by-day")
			if err != nil {
				return err
			}
			if len(rows) != 2 {
				return fmt.Errorf("%d days in the table, want 2", len(rows))
			}
			for _, row := range rows {
				d := row["day"]
				api := get("/v1/finance/costs?from=" + d + "&to=" + d + "&group_by=" + by)
				if row["total_usd"] != str(field(api, "totals.cost")) {
					return fmt.Errorf("%s total: page %s, API %v", d, row["total_usd"], field(api, "totals.cost"))
				}
				apiRows, _ := api["rows"].([]any)
				shown := 0
				for k, v := range row {
					if k != "day" && k != "total_usd" && v != "" {
						shown++
					}
				}
				if shown != len(apiRows) {
					return fmt.Errorf("%s: %d %ss on the page, %d in the API", d, shown, by, len(apiRows))
				}
				for _, ar := range apiRows {
					m := ar.(map[string]any)
					key := "(none)"
					if k, ok := m["key"].(string); ok {
						key = k
					}
					if row[key] != m["cost"] {
						return fmt.Errorf("%s %s: page %q, API %v", d, key, row[key], m["cost"])
					}
				}
			}
			return csvMatches(ctx, "costs-by-day")
		})
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=costs-stack][value=function]`)), loaded("costs-by-day")); err != nil {
		t.Fatal(err)
	}
	tab.Axe()
	tab.Screenshot("finance")

	// Cost per booking, marginal and fully loaded, day by day and in all.
	untilSame(t, "cost per booking", 60*time.Second, open, func() error {
		rows, totals, err := readTable(ctx, "cost-per-booking")
		if err != nil {
			return err
		}
		api := get("/v1/finance/unit-economics?from=" + from + "&to=" + to)
		daily, _ := api["daily"].([]any)
		if len(rows) != len(daily) || len(totals) != 1 {
			return fmt.Errorf("%d days and %d totals on the page, %d days in the API", len(rows), len(totals), len(daily))
		}
		for i, d := range daily {
			m := d.(map[string]any)
			if err := sameFields(rows[i], m, map[string]string{
				"day": "day", "bookings": "bookings", "marginal_cost_usd": "marginal_cost.cost", "fixed_cost_usd": "fixed_cost.cost",
				"fully_loaded_cost_usd": "fully_loaded_cost.cost", "marginal_per_booking_usd": "marginal_per_booking.cost",
				"fully_loaded_per_booking_usd": "fully_loaded_per_booking.cost",
			}); err != nil {
				return err
			}
		}
		if err := sameFields(totals[0], api, map[string]string{
			"bookings": "bookings", "marginal_cost_usd": "marginal.cost", "fixed_cost_usd": "fixed.cost",
			"fully_loaded_cost_usd": "fully_loaded.cost", "marginal_per_booking_usd": "marginal.per_booking.cost",
			"fully_loaded_per_booking_usd": "fully_loaded.per_booking.cost",
		}); err != nil {
			return err
		}
		return csvMatches(ctx, "cost-per-booking")
	})

	// The reconciliation against the bill.
	untilSame(t, "reconciliation", 60*time.Second, open, func() error {
		rows, totals, err := readTable(ctx, "reconciliation")
		if err != nil {
			return err
		}
		api := get("/v1/finance/reconciliation?from=" + from + "&to=" + to)
		apiRows, _ := api["rows"].([]any)
		if len(rows) != len(apiRows) || len(totals) != 1 {
			return fmt.Errorf("%d rows on the page, %d in the API", len(rows), len(apiRows))
		}
		cols := map[string]string{"ledger_usd": "ledger.cost", "billed_usd": "billed.cost", "variance_usd": "variance.cost",
			"variance_share_percent": "variance_share_percent"}
		for i, r := range apiRows {
			withKeys := map[string]string{"day": "day", "service": "service"}
			for k, v := range cols {
				withKeys[k] = v
			}
			if err := sameFields(rows[i], r.(map[string]any), withKeys); err != nil {
				return err
			}
		}
		if err := sameFields(totals[0], api["totals"].(map[string]any), cols); err != nil {
			return err
		}
		return csvMatches(ctx, "reconciliation")
	})

	// Revenue beside the infrastructure cost, night by night.
	untilSame(t, "revenue", 60*time.Second, open, func() error {
		rows, totals, err := readTable(ctx, "revenue")
		if err != nil {
			return err
		}
		api := get("/v1/finance/revenue?group_by=day&from=" + from + "&to=" + today.AddDate(0, 0, 1).Format(time.DateOnly))
		apiRows, _ := api["rows"].([]any)
		apiTotals, _ := api["totals"].([]any)
		if len(rows) != len(apiRows) || len(totals) != len(apiTotals) || len(rows) == 0 {
			return fmt.Errorf("%d rows and %d totals on the page, %d and %d in the API", len(rows), len(totals), len(apiRows), len(apiTotals))
		}
		cols := map[string]string{"currency": "currency", "room_nights_sold": "room_nights_sold", "room_nights_available": "room_nights_available",
			"occupancy_percent": "occupancy_percent", "room_revenue_cents": "room_revenue_cents", "adr_cents": "adr_cents",
			"revpar_cents": "revpar_cents", "infra_cost_usd": "infra_cost.cost"}
		for i, r := range apiRows {
			if err := sameFields(rows[i], r.(map[string]any), cols); err != nil {
				return err
			}
			if rows[i]["day"] != r.(map[string]any)["day"] {
				return fmt.Errorf("revenue row %d: page day %s, API %v", i, rows[i]["day"], r.(map[string]any)["day"])
			}
		}
		for i, r := range apiTotals {
			if err := sameFields(totals[i], r.(map[string]any), cols); err != nil {
				return err
			}
		}
		return csvMatches(ctx, "revenue")
	})

	// One booking's cost receipt, by its reference typed in.
	showReceipt := func() error {
		if err := open(); err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#receipt-reference`), ref), chromedp.Click(chromedp.CSS(`#receipt-reference ~ button`)),
			chromedp.WaitReady(chromedp.CSS(`table[data-table=receipt]`)), loaded("receipt"))
	}
	untilSame(t, "cost receipt", 60*time.Second, showReceipt, func() error {
		rows, totals, err := readTable(ctx, "receipt")
		if err != nil {
			return err
		}
		api := get("/v1/finance/reservations/" + url.PathEscape(ref) + "/cost")
		lines, _ := api["lines"].([]any)
		if len(rows) != len(lines) || len(totals) != 1 || totals[0]["share_usd"] != api["total"] {
			return fmt.Errorf("%d lines on the page (total %v), %d in the API (total %v)", len(rows), totals, len(lines), api["total"])
		}
		for i, l := range lines {
			if err := sameFields(rows[i], l.(map[string]any), map[string]string{"started": "started", "function": "function",
				"billed_ms": "billed_ms", "cost_usd": "cost", "shared_by": "shared_by", "share_usd": "share"}); err != nil {
				return err
			}
		}
		return csvMatches(ctx, "receipt")
	})
	tab.Axe()
	tab.Screenshot("finance-receipt")
}

// loaded waits until the figure id has its data table and is not loading.
func loaded(id string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`section[data-figure=%q][aria-busy=false] table[data-table=%q]`, id, id)))
}

// sameFields compares a table row with an API object: cols maps each
// column's key to the field's path.
func sameFields(row tableRow, api map[string]any, cols map[string]string) error {
	for col, path := range cols {
		if want := str(field(api, path)); row[col] != want {
			return fmt.Errorf("%s: page %q, API %q (row %v)", col, row[col], want, row)
		}
	}
	return nil
}

// csvMatches checks that the figure's CSV file holds its table.
func csvMatches(ctx context.Context, id string) error {
	rows, totals, err := readTable(ctx, id)
	if err != nil {
		return err
	}
	file, err := readCSV(ctx, id)
	if err != nil {
		return err
	}
	if err := sameAsCSV(rows, totals, file); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return nil
}

// waitFor polls ok until it holds or deadline passes.
func waitFor(t *testing.T, what string, deadline time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(deadline); !ok(); time.Sleep(250 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, deadline)
		}
	}
}
