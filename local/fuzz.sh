#!/usr/bin/env bash
# Runs every Go fuzz target of the repository (func FuzzXxx, found with
# go test -list) for a while each, one after the other: go test -fuzz
# takes one target of one package at a time.
#
#   local/fuzz.sh [FUZZTIME] [PACKAGES...]
#
# FUZZTIME is go test's -fuzztime (a duration such as 20s, or 1000x),
# 20s by default; PACKAGES default to ./... . FUZZMINIMIZETIME (500x by
# default) bounds how long a worker shrinks each new input. Go's 60s
# default leaves the workers minimizing, not fuzzing, for most of a short
# run; a short time instead has the coordinator kill workers that overrun
# it mid-input (golang/go#52569), and each restart rebuilds the target's
# database schema. A count has no such race. An input that fails is
# written by go test to the package's
# testdata/fuzz/FuzzXxx/, where plain go test replays it from then on:
# fix the bug and keep the file as its regression seed.
set -euo pipefail

cd "$(dirname "$0")/.."
fuzztime=${1:-${FUZZTIME:-20s}}
shift || true
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
minimize=${FUZZMINIMIZETIME:-500x}
# The toolchain the Makefile pins, when not run through make.
export GOTOOLCHAIN=${GOTOOLCHAIN:-$(sed -n 's/^export GOTOOLCHAIN := *//p' Makefile)}

# The integration fuzz targets use the real PostgreSQL and Redis.
./local/services.sh

# Only packages whose tests declare a Fuzz function are built to be
# listed: building every test binary of ./... (the CDK's included) takes
# minutes.
candidates=()
while read -r pkg files; do
  # shellcheck disable=SC2086 # files is a list of paths without spaces
  if [ -n "$files" ] && grep -qE '^func Fuzz[A-Z0-9_]' $files; then candidates+=("$pkg"); fi
done < <(go list -e -f '{{.ImportPath}}{{range .TestGoFiles}} {{$.Dir}}/{{.}}{{end}}{{range .XTestGoFiles}} {{$.Dir}}/{{.}}{{end}}' "${pkgs[@]}")
if [ ${#candidates[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets in ${pkgs[*]}" >&2
  exit 1
fi

# go test -list prints a package's matching names, then its "ok" line.
if ! listing=$(go test -list '^Fuzz' "${candidates[@]}" 2>&1); then
  printf '%s\n' "$listing" >&2
  echo "fuzz: listing the fuzz targets failed" >&2
  exit 1
fi
targets=()
names=()
while read -r first second _; do
  case "$first" in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in "${names[@]+"${names[@]}"}"; do targets+=("$second $n"); done
      names=()
      ;;
  esac
done <<<"$listing"

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets in ${pkgs[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, $fuzztime each"

passed=0
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  pkg=${t% *}
  name=${t#* }
  echo "fuzz: $name ($pkg)"
  if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" >"$log" 2>&1; then
    passed=$((passed + 1))
    # The last progress line says how many inputs ran in how long.
    grep '^fuzz: elapsed: .*, execs: ' "$log" | tail -n 1 |
      sed -E 's/^fuzz: elapsed: (([0-9]+)h)?(([0-9]+)m)?([0-9]+)s, execs: ([0-9]+).*/\6:\2:\4:\5/' |
      awk -F: '{ t = $2 * 3600 + $3 * 60 + $4; printf "  %d execs in %ds (%d/s)\n", $1, t, t ? $1 / t : $1 }' || true
  else
    failed+=("$name ($pkg)")
    cat "$log"
  fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failing targets (their inputs are now in testdata/fuzz/):"
  printf '  %s\n' "${failed[@]}"
fi
echo "fuzz: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
