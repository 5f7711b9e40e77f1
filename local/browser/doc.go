// Package browser drives Debian's Chromium, headless, against a devstack
// of the test binary's own, as the console's users would: tabs that sign
// in, wait for what a page shows, write screenshots under
// dist/screenshots for review, and check accessibility with axe-core.
// Every request a page tries outside 127.0.0.1 fails and fails the test:
// the console bundles everything it needs.
//
// A test package starts one stack for all its tests in TestMain
// (StartStack), and each test opens its own browser (NewBrowser) and tabs.
package browser
