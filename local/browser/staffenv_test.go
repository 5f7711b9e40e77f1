package browser

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// staffConsole is the console under test: its base URL and an admin key.
type staffConsole struct {
	base, admin string
}

// consoleUnderTest is the package's devstack (TestMain).
func consoleUnderTest(t *testing.T) staffConsole {
	t.Helper()
	return staffConsole{base: stack.URL, admin: stack.AdminKey}
}

// staffTab opens a tab of the harness's browser at w × h, and a context
// on it bounded for the whole test, for the comparisons that retry.
func staffTab(t *testing.T, w, h int64) (*Tab, context.Context) {
	t.Helper()
	tab := NewBrowser(t, stack).NewTab(t)
	if _, err := chromedp.Call(tab.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: keepBlobs}); err != nil {
		t.Fatalf("browser: keep blobs: %v", err)
	}
	tab.Viewport(Size{Width: w, Height: h, Scale: 1})
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Minute)
	t.Cleanup(cancel)
	return tab, ctx
}

// keepBlobs keeps each Blob the page makes a URL of, by its URL, so a
// test reads a download (a CSV) without fetching it.
const keepBlobs = `(() => {
	const create = URL.createObjectURL.bind(URL);
	const blobs = new Map();
	window.__innkeeperBlobs = blobs;
	URL.createObjectURL = (b) => { const u = create(b); if (b instanceof Blob) blobs.set(u, b); return u; };
})();`

// script runs JavaScript for its effect.
func script(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("(() => {"+js+"; return true })()")(ctx, t)
		return err
	})
}
