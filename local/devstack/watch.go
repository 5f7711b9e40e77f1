package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// watchEvery is how often the sources are looked at.
const watchEvery = 700 * time.Millisecond

// sourceState fingerprints the Go sources the functions are built from:
// every .go file under functions/ and shared/, and go.mod and go.sum.
func sourceState(root string) (string, error) {
	var b strings.Builder
	for _, dir := range []string{"functions", "shared"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if info, err := os.Stat(filepath.Join(root, f)); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", f, info.Size(), info.ModTime().UnixNano())
		}
	}
	return b.String(), nil
}

// watch rebuilds the functions when their sources change and swaps in
// the binaries that changed. A build that fails leaves the running
// binaries as they are and says why.
func (s *Stack) watch(ctx context.Context) {
	last, _ := sourceState(s.opts.Root)
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now, err := sourceState(s.opts.Root)
		if err != nil || now == last {
			continue
		}
		last = now
		start := time.Now()
		changed, err := s.Rebuild(ctx)
		switch {
		case err != nil:
			fmt.Fprintf(s.opts.Log, "devstack| rebuild failed; still running the previous build:\n%v\n", err)
		case len(changed) == 0:
			fmt.Fprintf(s.opts.Log, "devstack| sources changed, binaries did not (%v)\n", time.Since(start).Round(time.Millisecond))
		default:
			fmt.Fprintf(s.opts.Log, "devstack| rebuilt and swapped %s in %v; warm processes drained\n",
				strings.Join(changed, ", "), time.Since(start).Round(time.Millisecond))
		}
	}
}
