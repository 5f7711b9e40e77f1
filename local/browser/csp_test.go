package browser

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"innkeeper/shared/consolesec"
)

// A tab runs pages under their Content-Security-Policy and notices when
// one breaks it: styles set through the CSSOM and scripts injected over
// the protocol (axe-core) are allowed, style="" attributes and inline
// scripts are violations.
func TestTabsReportCSPViolations(t *testing.T) {
	pages := map[string]string{
		"/clean":    `<!doctype html><html lang="en"><title>clean</title><main id="m">ok</main><script src="/clean.js"></script>`,
		"/clean.js": `document.getElementById('m').style.color = 'red'; document.body.dataset.done = '1';`,
		"/dirty":    `<!doctype html><html lang="en"><title>dirty</title><main style="color: red">ko</main><script>document.body.dataset.inline = '1'</script>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range consolesec.Headers() {
			w.Header().Set(k, v)
		}
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	tab := NewBrowser(t, stack).NewTab(t)

	tab.Do(chromedp.Navigate(srv.URL + "/clean"))
	tab.Poll(`document.body.dataset.done === '1'`, 10*time.Second, "the clean page's script")
	if got := Eval[string](tab, `(() => { window.injected = 'yes'; return window.injected })()`); got != "yes" {
		t.Fatalf("a script evaluated over the protocol: %q", got)
	}
	time.Sleep(300 * time.Millisecond)
	if v := tab.cspViolations(); len(v) > 0 {
		t.Fatalf("the clean page reports violations: %v", v)
	}

	tab.Do(chromedp.Navigate(srv.URL + "/dirty"))
	for end := time.Now().Add(10 * time.Second); len(tab.cspViolations()) < 2 && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	v := strings.Join(tab.cspViolations(), "\n")
	if !strings.Contains(v, "style-src") || !strings.Contains(v, "script-src") || !strings.Contains(v, "securitypolicyviolation") {
		t.Fatalf("the dirty page's violations are not all reported:\n%s", v)
	}
	if Eval[bool](tab, `document.body.dataset.inline === '1'`) {
		t.Error("the inline script ran")
	}
	// The page broke the policy on purpose.
	tab.forgetCSP()
}
