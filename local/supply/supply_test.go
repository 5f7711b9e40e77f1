package supply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// vulnerableID is the advisory that testdata/vulnerable reaches: it calls
// language.ParseAcceptLanguage of golang.org/x/text v0.3.7 (fixed in v0.3.8).
const vulnerableID = "GO-2022-1059"

// run runs a script of this package with extra environment variables and
// returns its combined output and exit code (-1 if it could not start).
func run(t *testing.T, timeout time.Duration, env []string, script string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out after %v\n%s", script, args, timeout, out.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("%s %v: %v\n%s", script, args, err, out.String())
		return "", -1
	}
}

// TestAudit runs audit.sh against a module that calls a vulnerable function
// and against one that makes the same call on a fixed release. The first run
// on a machine installs govulncheck and builds the vulnerability database
// (a few minutes); later runs take seconds.
func TestAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("audit: installs govulncheck and may build the vulnerability database")
	}
	// The test modules are modules of their own, outside any workspace.
	env := []string{"GOWORK=off"}

	out, code := run(t, 9*time.Minute, env, "audit.sh", "testdata/vulnerable")
	if code != 3 {
		t.Errorf("audit.sh testdata/vulnerable: exit %d, want 3 (vulnerabilities found)\n%s", code, out)
	}
	for _, want := range []string{vulnerableID, "language.ParseAcceptLanguage", "FAILED"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit.sh testdata/vulnerable: output lacks %q\n%s", want, out)
		}
	}

	out, code = run(t, 5*time.Minute, env, "audit.sh", "testdata/clean")
	if code != 0 {
		t.Errorf("audit.sh testdata/clean: exit %d, want 0\n%s", code, out)
	}
	if !strings.Contains(out, "No vulnerabilities found") {
		t.Errorf("audit.sh testdata/clean: output lacks %q\n%s", "No vulnerabilities found", out)
	}

	out, code = run(t, time.Minute, env, "audit.sh", "testdata/missing")
	if code == 0 || !strings.Contains(out, "no such directory") {
		t.Errorf("audit.sh testdata/missing: exit %d, want a failure naming the directory\n%s", code, out)
	}
}

// TestSBOM builds a small linux/arm64 binary as a function of a throw-away
// repository layout and checks the SBOM that sbom.sh writes beside it.
func TestSBOM(t *testing.T) {
	if testing.Short() {
		t.Skip("sbom: installs cyclonedx-gomod and builds a binary")
	}
	tools, err := filepath.Abs(filepath.Join(root, "dist", "tools"))
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, dir := range []string{"functions/hello", "functions/other", "dist/hello"} {
		if err := os.MkdirAll(filepath.Join(repo, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(repo, "dist", "hello", "bootstrap")
	build := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = "testdata/clean"
	build.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"SUPPLY_ROOT=" + repo, "SUPPLY_TOOLS=" + tools, "VERSION="}

	if out, code := run(t, time.Minute, env, "sbom.sh"); code == 0 || !strings.Contains(out, "usage") {
		t.Errorf("sbom.sh without a version: exit %d, want a usage error\n%s", code, out)
	}
	out, code := run(t, 5*time.Minute, env, "sbom.sh", "v9.9.9")
	if code == 0 || !strings.Contains(out, "dist/other/bootstrap") || !strings.Contains(out, "make build") {
		t.Errorf("sbom.sh with a function not built: exit %d, want a failure naming dist/other/bootstrap\n%s", code, out)
	}

	if err := os.Remove(filepath.Join(repo, "functions", "other")); err != nil {
		t.Fatal(err)
	}
	out, code = run(t, 5*time.Minute, env, "sbom.sh", "v9.9.9")
	if code != 0 {
		t.Fatalf("sbom.sh v9.9.9: exit %d\n%s", code, out)
	}
	data, err := os.ReadFile(filepath.Join(repo, "dist", "hello", "sbom.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component struct {
				Name, Version, Purl string
			}
		}
		Components []struct {
			Name, Version, Purl string
		}
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatalf("sbom.cdx.json: %v\n%s", err, data)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion == "" {
		t.Errorf("bomFormat %q, specVersion %q: want a CycloneDX document", bom.BOMFormat, bom.SpecVersion)
	}
	top := bom.Metadata.Component
	if top.Name != "example.com/clean" || top.Version != "v9.9.9" {
		t.Errorf("main component %s@%s, want example.com/clean@v9.9.9", top.Name, top.Version)
	}
	if !strings.Contains(top.Purl, "goarch=arm64") || !strings.Contains(top.Purl, "goos=linux") {
		t.Errorf("main component purl %q: want the binary's linux/arm64, not this machine's", top.Purl)
	}
	found := map[string]string{}
	for _, c := range bom.Components {
		found[c.Name] = c.Version
	}
	if v := found["golang.org/x/text"]; v != "v0.41.0" {
		t.Errorf("component golang.org/x/text at %q, want v0.41.0; components: %v", v, found)
	}
	if v := found["std"]; !strings.HasPrefix(v, "go1.") {
		t.Errorf("component std at %q, want the Go release that built the binary; components: %v", v, found)
	}
}

// TestActionlint lints the real workflows.
func TestActionlint(t *testing.T) {
	if testing.Short() {
		t.Skip("actionlint: installs actionlint")
	}
	out, code := run(t, 5*time.Minute, nil, "actionlint.sh")
	if code != 0 {
		t.Fatalf("actionlint.sh: exit %d\n%s", code, out)
	}
}

// usesLine finds a step's or job's `uses:` and its value.
var usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(.*?)\s*$`)

// pinned is owner/repo[/path]@<40 hex> # vX.Y.Z.
var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+\S*$`)

// checkUses says why a `uses:` value is not pinned to an immutable commit
// with its release named in a comment, or nil when it is.
func checkUses(value string) error {
	ref, comment, _ := strings.Cut(value, "#")
	ref = strings.Trim(strings.TrimSpace(ref), `"'`)
	switch {
	case strings.HasPrefix(ref, "./"):
		return nil // an action of this repository, pinned by the checkout
	case strings.HasPrefix(ref, "docker://"):
		if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(ref) {
			return fmt.Errorf("%s: pin the image by digest (@sha256:…)", ref)
		}
		return nil
	}
	if !pinned.MatchString(ref + " #" + comment) {
		return fmt.Errorf("%q: pin to a full 40-hex commit SHA with its release in a comment, e.g. owner/repo@<sha> # v1.2.3", value)
	}
	return nil
}

func TestCheckUses(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"sha and release", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", true},
		{"action in a subfolder", "github/codeql-action/init@54f647b7e1bb85c95cddabcd46b0c578ec92bc1a # v4.36.3", true},
		{"quoted", `"actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1" # v7.0.1`, true},
		{"local action", "./.github/actions/setup", true},
		{"docker by digest", "docker://alpine@sha256:" + strings.Repeat("ab", 32), true},
		{"tag", "actions/checkout@v4", false},
		{"branch", "actions/checkout@main", false},
		{"short sha", "actions/checkout@3d3c42e # v7.0.1", false},
		{"sha without release", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", false},
		{"release without patch", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7", false},
		{"upper-case hex", "actions/checkout@3D3C42E5AAC5BA805825DA76410C181273BA90B1 # v7.0.1", false},
		{"docker by tag", "docker://alpine:3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkUses(tt.value)
			if (err == nil) != tt.ok {
				t.Errorf("checkUses(%q) = %v, want ok=%v", tt.value, err, tt.ok)
			}
		})
	}
}

// workflows reads every workflow file, by name.
func workflows(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got[filepath.Base(f)] = string(data)
	}
	for _, want := range []string{"ci.yml", "deploy.yml"} {
		if _, ok := got[want]; !ok {
			t.Fatalf(".github/workflows/%s is missing (found %d workflows)", want, len(got))
		}
	}
	return got
}

func TestWorkflowsPinActionsToCommits(t *testing.T) {
	count := 0
	for name, text := range workflows(t) {
		for i, line := range strings.Split(text, "\n") {
			m := usesLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			count++
			if err := checkUses(m[1]); err != nil {
				t.Errorf("%s:%d: %v", name, i+1, err)
			}
		}
	}
	if count == 0 {
		t.Fatal("no uses: found in the workflows; the check would pass on anything")
	}
}

// jobBlocks splits a workflow's jobs: section into its jobs' text, by job id.
func jobBlocks(text string) map[string]string {
	jobs := map[string]string{}
	in, id := false, ""
	header := regexp.MustCompile(`^  ([A-Za-z0-9_-]+):\s*$`)
	for _, line := range strings.Split(text, "\n") {
		switch {
		case line == "jobs:":
			in = true
		case !in:
		case line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			in = false
		case header.MatchString(line):
			id = header.FindStringSubmatch(line)[1]
		case id != "":
			jobs[id] += line + "\n"
		}
	}
	return jobs
}

func TestWorkflowsLeastPrivilege(t *testing.T) {
	topPermissions := regexp.MustCompile(`(?m)^permissions:\n  contents: read\n(?:[^ ]|$)`)
	for name, text := range workflows(t) {
		if !topPermissions.MatchString(text) {
			t.Errorf("%s: want top-level permissions of exactly contents: read", name)
		}
		if !regexp.MustCompile(`(?m)^concurrency:`).MatchString(text) {
			t.Errorf("%s: want a concurrency group", name)
		}
		for _, secretKey := range []string{"aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"} {
			if strings.Contains(text, secretKey) {
				t.Errorf("%s: mentions %s; AWS access is through OIDC only", name, secretKey)
			}
		}
		jobs := jobBlocks(text)
		if len(jobs) == 0 {
			t.Errorf("%s: no jobs found", name)
		}
		for id, body := range jobs {
			if !strings.Contains(body, "\n    timeout-minutes:") && !strings.HasPrefix(body, "    timeout-minutes:") {
				t.Errorf("%s: job %s has no timeout-minutes", name, id)
			}
			usesAWS := strings.Contains(body, "aws-actions/configure-aws-credentials@")
			if hasOIDC := strings.Contains(body, "id-token: write"); usesAWS != hasOIDC {
				t.Errorf("%s: job %s: configure-aws-credentials %v but id-token: write %v; only AWS jobs get an OIDC token", name, id, usesAWS, hasOIDC)
			}
		}
	}

	deploy := jobBlocks(workflows(t)["deploy.yml"])
	prod, ok := deploy["production"]
	if !ok {
		t.Fatal("deploy.yml: no production job")
	}
	if !strings.Contains(prod, "name: production") || !strings.Contains(prod, "environment:") {
		t.Error("deploy.yml: the production job must run in the production environment (its reviewers approve it)")
	}
	if !strings.Contains(prod, "make rollback STAGE=prod") || !strings.Contains(prod, "describe-alarms --state-value ALARM") {
		t.Error("deploy.yml: the production job must watch the alarms and roll back")
	}
}

// imageLine finds a workflow's or compose file's `image:` and its value.
var imageLine = regexp.MustCompile(`(?m)^\s*image:\s*["']?([^"'\s#]+)`)

// byDigest is an image with an exact version tag and a digest.
var byDigest = regexp.MustCompile(`^[a-z0-9./-]+:[0-9][0-9a-z.-]*@sha256:[0-9a-f]{64}$`)

// TestServiceImagesPinnedByDigest: the workflows' service containers
// are pinned by digest, and the tests' PostgreSQL and Redis are the
// very images the compose file runs, so CI and a local stage test
// against the same bytes.
func TestServiceImagesPinnedByDigest(t *testing.T) {
	compose, err := os.ReadFile(filepath.Join(root, "local", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	composed := map[string]string{}
	for _, m := range imageLine.FindAllStringSubmatch(string(compose), -1) {
		name, _, _ := strings.Cut(m[1], ":")
		composed[name] = m[1]
	}
	for _, name := range []string{"postgres", "redis"} {
		if !byDigest.MatchString(composed[name]) {
			t.Errorf("local/docker-compose.yml: %s image %q is not pinned by digest", name, composed[name])
		}
	}
	count := 0
	for file, text := range workflows(t) {
		for _, m := range imageLine.FindAllStringSubmatch(text, -1) {
			count++
			ref := m[1]
			if !byDigest.MatchString(ref) {
				t.Errorf("%s: image %q: pin an exact tag by digest (image:tag@sha256:…)", file, ref)
			}
			name, _, _ := strings.Cut(ref, ":")
			if want, ok := composed[name]; ok && ref != want {
				t.Errorf("%s: image %s, the compose file runs %s", file, ref, want)
			}
		}
	}
	if count == 0 {
		t.Fatal("no image: in the workflows; the check would pass on anything")
	}
}
