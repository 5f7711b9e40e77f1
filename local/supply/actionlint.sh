#!/usr/bin/env bash
# Lints the GitHub Actions workflows in .github/workflows with actionlint:
# syntax, expressions, job graph, runner labels, action inputs, and every
# run: script too when the shellcheck command is installed (the Debian
# package of that name; without it those scripts go unchecked, as it says).
#
#   local/supply/actionlint.sh [workflow files...]   (default: all of .github/workflows)
set -euo pipefail

export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tools=${SUPPLY_TOOLS:-$root/dist/tools}
ACTIONLINT_VERSION=v1.7.12

say() { echo "actionlint: $*" >&2; }

info=$(go version -m "$tools/actionlint" 2>/dev/null || true)
if ! grep -q "^[[:space:]]*mod[[:space:]]github.com/rhysd/actionlint[[:space:]]${ACTIONLINT_VERSION}[[:space:]]" <<<"$info"; then
  say "installing actionlint $ACTIONLINT_VERSION into dist/tools (first time only, under a minute)"
  mkdir -p "$tools"
  (cd "$tools" && GOWORK=off GOBIN=$tools go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION") ||
    { say "could not install actionlint $ACTIONLINT_VERSION"; exit 1; }
fi

cd "$root"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=(.github/workflows/*.yml .github/workflows/*.yaml)
fi
[ ${#files[@]} -gt 0 ] || { say "no workflows in .github/workflows"; exit 1; }

if command -v shellcheck >/dev/null 2>&1; then
  checks="with shellcheck on run: scripts"
else
  checks="without shellcheck (not installed: run: scripts are not checked)"
fi
say "checking ${files[*]} $checks"
"$tools/actionlint" -no-color "${files[@]}"
say "ok"
