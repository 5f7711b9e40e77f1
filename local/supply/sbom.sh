#!/usr/bin/env bash
# Writes a CycloneDX SBOM (JSON, spec 1.6) beside every function binary that
# make build produced: dist/<fn>/bootstrap -> dist/<fn>/sbom.cdx.json. It reads
# the module list that the Go linker embedded in the binary, so it describes
# exactly what is deployed, standard library version included, and needs no
# network.
#
#   local/supply/sbom.sh VERSION        (or VERSION=… local/supply/sbom.sh)
#
# The version is required: builds run with -buildvcs=false, so the binaries
# carry none of their own, and the SBOM must name the release it describes.
set -euo pipefail

export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

root=${SUPPLY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
tools=${SUPPLY_TOOLS:-$root/dist/tools}
CYCLONEDX_VERSION=v1.10.0

say() { echo "sbom: $*" >&2; }
die() { say "$*"; exit 1; }

version=${1:-${VERSION:-}}
[ -n "$version" ] || die "usage: local/supply/sbom.sh VERSION (or VERSION=… in the environment; make sbom passes it)"

info=$(go version -m "$tools/cyclonedx-gomod" 2>/dev/null || true)
if ! grep -q "^[[:space:]]*mod[[:space:]]github.com/CycloneDX/cyclonedx-gomod[[:space:]]${CYCLONEDX_VERSION}[[:space:]]" <<<"$info"; then
  say "installing cyclonedx-gomod $CYCLONEDX_VERSION into dist/tools (first time only, about 2 minutes)"
  mkdir -p "$tools"
  (cd "$tools" && GOWORK=off GOBIN=$tools go install "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$CYCLONEDX_VERSION") ||
    die "could not install cyclonedx-gomod $CYCLONEDX_VERSION"
fi

# build_setting BINARY KEY prints a build setting recorded in the binary (GOOS, GOARCH, …).
build_setting() {
  go version -m "$1" | awk -v key="$2" '$1 == "build" { split($2, kv, "="); if (kv[1] == key) print substr($2, length(key) + 2) }'
}

shopt -s nullglob
fns=()
for d in "$root"/functions/*/; do
  fns+=("$(basename "$d")")
done
[ ${#fns[@]} -gt 0 ] || die "no functions under $root/functions"

missing=()
for fn in "${fns[@]}"; do
  [ -x "$root/dist/$fn/bootstrap" ] || missing+=("dist/$fn/bootstrap")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing ${missing[*]}: run make build first"
fi

for fn in "${fns[@]}"; do
  bin=$root/dist/$fn/bootstrap
  out=$root/dist/$fn/sbom.cdx.json
  # cyclonedx-gomod takes the package URLs' goos/goarch from the environment,
  # not from the binary: hand it the binary's own (linux/arm64 for Lambda).
  goos=$(build_setting "$bin" GOOS)
  goarch=$(build_setting "$bin" GOARCH)
  GOOS=${goos:-linux} GOARCH=${goarch:-arm64} \
    "$tools/cyclonedx-gomod" bin -json -std -version "$version" -output "$out" "$bin" ||
    die "cyclonedx-gomod failed for $bin"
  say "dist/$fn/sbom.cdx.json ($fn $version, ${goos:-?}/${goarch:-?})"
done
