package topology_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The README's Layout table names every package of the module with its
// job, so a newcomer can find a package's purpose from the folder name;
// a package added without a row, or a row left behind by a package that
// went, fails here.
func TestReadmeLayoutNamesEveryPackage(t *testing.T) {
	const root = "../.."
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := layoutRows(t, string(readme))
	covered := func(pkg string) bool {
		for _, r := range rows {
			if r == pkg || r == pkg+"/" || r == "functions/<name>/main.go" && strings.HasPrefix(pkg, "functions/") {
				return true
			}
		}
		return false
	}
	pkgs := packages(t, root)
	for _, pkg := range pkgs {
		if !covered(pkg) {
			t.Errorf("package %s has no row in README's Layout table", pkg)
		}
	}
	for _, r := range rows {
		dir := strings.TrimSuffix(r, "/")
		if strings.HasPrefix(r, "shared/") && !slices.Contains(pkgs, dir) {
			t.Errorf("README's Layout table names %s, which is no package", r)
		}
	}
}

// layoutRows are the paths in backquotes in the first column of the
// Layout section's table.
func layoutRows(t *testing.T, readme string) []string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Layout\n")
	if !ok {
		t.Fatal("README has no ## Layout section")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	quoted := regexp.MustCompile("`([^`]+)`")
	var rows []string
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range quoted.FindAllStringSubmatch(cells[1], -1) {
			rows = append(rows, m[1])
		}
	}
	if len(rows) == 0 {
		t.Fatal("README's Layout section has no table rows")
	}
	return rows
}

// packages are the module's folders holding Go code other than tests,
// relative to root.
func packages(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			name == "testdata" || name == "node_modules" || name == "dist" || name == "cdk.out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range seen {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	if len(pkgs) < 10 {
		t.Fatalf("found only %v: is root right?", pkgs)
	}
	return pkgs
}
