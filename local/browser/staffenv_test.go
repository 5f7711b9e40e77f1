package browser

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// staffConsole is the console under test: its base URL and an admin key.
type staffConsole struct {
	base, admin string
}

// consoleUnderTest is the running devstack named by INNKEEPER_CONSOLE_URL
// (and INNKEEPER_ADMIN_KEY); the package's shared devstack replaces it.
func consoleUnderTest(t *testing.T) staffConsole {
	t.Helper()
	base := os.Getenv("INNKEEPER_CONSOLE_URL")
	if base == "" {
		t.Skip("INNKEEPER_CONSOLE_URL is not set")
	}
	return staffConsole{base: base, admin: os.Getenv("INNKEEPER_ADMIN_KEY")}
}

// newBrowser starts headless Chromium with a window of w × h.
func newBrowser(t *testing.T, w, h int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(w, h))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// shoot writes a full-page screenshot to dist/screenshots/name.png.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "dist", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// script runs JavaScript for its effect.
func script(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("(() => {"+js+"; return true })()")(ctx, t)
		return err
	})
}

// signInAs signs in to the console with key.
func signInAs(t *testing.T, ctx context.Context, base, key string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/#/"),
		chromedp.WaitVisible(chromedp.CSS(`#api-key`)),
		chromedp.SendKeys(chromedp.CSS(`#api-key`), key),
		chromedp.Submit(chromedp.CSS(`#api-key`)),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="#/finance"], nav a[href="#/desk"]`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
}
