package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Build compiles the main package pkg of the module in dir into out
// exactly as `make build` does for Lambda (static, -tags lambda.norpc,
// -trimpath, -s -w), but for this machine's architecture, and returns
// out's absolute path.
func Build(ctx context.Context, dir, pkg, out string, ldflags ...string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	flags := strings.Join(append([]string{"-s", "-w"}, ldflags...), " ")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", flags, "-o", abs, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("sandbox: build %s: %w\n%s", pkg, err, out)
	}
	return abs, nil
}
