// Package supply holds the checks of Innkeeper's supply chain and release
// pipeline, as shell scripts that make runs and Go tests that prove them:
//
//   - audit.sh: govulncheck on a module, failing on any vulnerability its
//     code can reach; offline against a database built from a pinned
//     golang.org/x/vulndb snapshot, or online with VULNDB=default;
//   - sbom.sh: a CycloneDX SBOM beside every dist/<fn>/bootstrap;
//   - actionlint.sh: actionlint on .github/workflows.
//
// The tests run audit.sh against a deliberately vulnerable module and a clean
// one (testdata/), sbom.sh against a binary they build, actionlint.sh against
// the real workflows, and check that every action in them is pinned to a
// commit. The package has no code of its own: its value is in the tests.
package supply
