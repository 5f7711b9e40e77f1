package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium is Debian's Chromium, which make chromium installs.
const Chromium = "/usr/bin/chromium"

// Timeout bounds every wait of a tab.
var Timeout = 60 * time.Second

// Browser is one headless Chromium with a fresh profile, for one test.
type Browser struct {
	stack *Stack
	ctx   context.Context
}

// NewBrowser starts Chromium for t against stack; it stops when t ends.
// Requests leaving the machine cannot succeed: every host but loopback
// resolves to nothing and goes to a closed proxy.
func NewBrowser(t testing.TB, stack *Stack) *Browser {
	t.Helper()
	if _, err := exec.LookPath(Chromium); err != nil {
		t.Fatalf("browser: %s is missing (make chromium installs Debian's chromium)", Chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("window-size", "1280,900"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// The first run starts the browser; it must have no deadline.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("browser: start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return &Browser{stack: stack, ctx: ctx}
}

// Tab is one tab of a browser.
type Tab struct {
	t     testing.TB
	b     *Browser
	ctx   context.Context
	mu    sync.Mutex
	wrong []string // requests that tried to leave 127.0.0.1
	csp   []string // Content-Security-Policy violations
}

// cspMark is the first argument of the console message cspListener logs.
const cspMark = "innkeeper-csp-violation"

// cspListener logs each Content-Security-Policy violation of a page.
const cspListener = `document.addEventListener('securitypolicyviolation', (e) => console.error(` + "'" + cspMark + "'" + `,
	e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber +
	(e.sample ? ' (' + e.sample + ')' : '')), true);`

// cspViolations are the violations the tab's pages reported so far.
func (tab *Tab) cspViolations() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return slices.Clone(tab.csp)
}

// forgetCSP forgets the violations reported so far.
func (tab *Tab) forgetCSP() {
	tab.mu.Lock()
	tab.csp = nil
	tab.mu.Unlock()
}

// NewTab opens a tab. When t ends, the test fails if a page of the tab
// tried to reach anything but the machine itself.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tab := &Tab{t: t, b: b, ctx: ctx}
	if err := chromedp.Listen(ctx, tab.watch); err != nil {
		cancel()
		t.Fatalf("browser: new tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		cancel()
		t.Fatalf("browser: network: %v", err)
	}
	// The console runs under its real Content-Security-Policy: axe-core
	// is injected with Runtime.evaluate, which the policy does not
	// govern. Every violation is reported as a securitypolicyviolation
	// event, which a listener of an isolated world logs, and by Chromium
	// itself in the Log domain (enabled for every target).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: cspListener, WorldName: "innkeeper-csp", RunImmediately: new(true),
	}); err != nil {
		cancel()
		t.Fatalf("browser: CSP listener: %v", err)
	}
	t.Cleanup(func() {
		if csp := tab.cspViolations(); len(csp) > 0 {
			t.Errorf("browser: the console broke its Content-Security-Policy:\n%s", strings.Join(csp, "\n"))
		}
	})
	t.Cleanup(func() {
		tab.mu.Lock()
		wrong := tab.wrong
		tab.mu.Unlock()
		if len(wrong) > 0 {
			t.Errorf("browser: a page tried to leave the machine: %s", strings.Join(wrong, ", "))
		}
		cancel()
	})
	return tab
}

// watch records requests that leave the machine; it runs on the tab's
// reader goroutine, so it only records.
func (tab *Tab) watch(ev any) {
	var u string
	switch e := ev.(type) {
	case *log.EventEntryAdded:
		if e.Entry != nil && (e.Entry.Source == log.EntrySourceSecurity || strings.Contains(e.Entry.Text, "Content Security Policy")) {
			tab.recordCSP(e.Entry.Text)
		}
		return
	case *runtime.EventConsoleAPICalled:
		if len(e.Args) == 2 && string(e.Args[0].Value) == `"`+cspMark+`"` {
			var msg string
			_ = json.Unmarshal(e.Args[1].Value, &msg)
			tab.recordCSP("securitypolicyviolation: " + msg)
		}
		return
	case *network.EventRequestWillBeSent:
		u = e.Request.URL
	case *network.EventWebSocketCreated:
		u = e.URL
	default:
		return
	}
	if !local(u) {
		tab.mu.Lock()
		tab.wrong = append(tab.wrong, u)
		tab.mu.Unlock()
	}
}

// recordCSP records a violation of the Content-Security-Policy.
func (tab *Tab) recordCSP(msg string) {
	tab.mu.Lock()
	tab.csp = append(tab.csp, msg)
	tab.mu.Unlock()
}

// local reports whether a page's request stays on the machine.
func local(raw string) bool {
	p, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "data", "blob", "about", "chrome", "devtools":
		return true
	}
	h := trimHost(p.Host)
	return h == "127.0.0.1" || h == "localhost" || h == "::1"
}

// Do runs actions in the tab, within Timeout, and fails the test on error.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.t.Fatalf("browser: %v\nstack log:\n%s", err, tab.b.stack.Log())
	}
}

// Eval evaluates a JavaScript expression in the page, awaiting a promise.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.t.Fatalf("browser: eval %.80s: %v", expr, err)
	}
	return v
}

// Open loads a page of the console: path is what follows the origin,
// such as "/#/book/lisbon-riverside".
func (tab *Tab) Open(path string) {
	tab.t.Helper()
	tab.Do(chromedp.Navigate(tab.b.stack.URL + path))
}

// WaitVisible waits until the CSS selector shows an element.
func (tab *Tab) WaitVisible(sel string) {
	tab.t.Helper()
	tab.Do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Text is the visible text of the first element matching sel.
func (tab *Tab) Text(sel string) string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tab.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Click clicks the first element matching sel.
func (tab *Tab) Click(sel string) {
	tab.t.Helper()
	tab.Do(chromedp.Click(chromedp.CSS(sel)))
}

// Type types text into the field matching sel, as a user would.
func (tab *Tab) Type(sel, text string) {
	tab.t.Helper()
	tab.Do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Poll evaluates cond (a JavaScript expression) until it is true, or
// fails the test after within.
func (tab *Tab) Poll(cond string, within time.Duration, what string) {
	tab.t.Helper()
	deadline := time.Now().Add(within)
	for {
		if Eval[bool](tab, "Boolean("+cond+")") {
			return
		}
		if time.Now().After(deadline) {
			tab.t.Fatalf("browser: %s: not within %v (%s)\nstack log:\n%s", what, within, cond, tab.b.stack.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SignIn signs the tab in with an API key through the console's form.
func (tab *Tab) SignIn(key string) {
	tab.t.Helper()
	tab.Open("/#/")
	tab.WaitVisible("#api-key")
	tab.Type("#api-key", key)
	tab.Click(".signin button[type=submit]")
	tab.WaitVisible("header .who .role")
}

// Viewport sets the tab's size: Desktop or Phone.
func (tab *Tab) Viewport(v Size) {
	tab.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.Scale)}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	tab.Do(chromedp.EmulateViewport(v.Width, v.Height, opts...))
}

// Size is a viewport.
type Size struct {
	Width, Height int64
	Scale         float64
	Mobile        bool
}

// Desktop and Phone are the sizes screenshots are taken at.
var (
	Desktop = Size{Width: 1280, Height: 900, Scale: 1}
	Phone   = Size{Width: 375, Height: 812, Scale: 2, Mobile: true}
)

// Screenshot writes the whole page as dist/screenshots/<name>.png and
// returns the file's path.
func (tab *Tab) Screenshot(name string) string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	dir := filepath.Join(Root(), "dist", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tab.t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
	return file
}

// Violation is one rule axe-core found broken.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// Axe runs axe-core (web/node_modules/axe-core, bundled by npm) on the
// page and fails the test on any serious or critical violation; it
// returns every violation found.
func (tab *Tab) Axe() []Violation {
	tab.t.Helper()
	src, err := os.ReadFile(filepath.Join(Root(), "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		tab.t.Fatalf("browser: axe-core: %v (make web installs it)", err)
	}
	Eval[chromedp.Void](tab, string(src))
	vs := Eval[[]Violation](tab, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))`)
	var bad []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; ")))
		}
	}
	if len(bad) > 0 {
		tab.t.Errorf("browser: axe-core finds serious violations:\n%s", strings.Join(bad, "\n"))
	}
	return vs
}
