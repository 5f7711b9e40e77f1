#!/usr/bin/env bash
# Fails when a Go module's code can reach a known vulnerability (govulncheck,
# symbol level: a vulnerable function that is called, in a dependency or in
# the standard library of the toolchain in use).
#
#   local/supply/audit.sh [module dir] [packages...]   (default: repo root, ./...)
#
# Which vulnerability database, by VULNDB:
#   snapshot (default)  offline: built here from the Go module
#                       golang.org/x/vulndb@$VULNDB_VERSION (through the Go
#                       module proxy), cached in dist/tools/vulndb; the first
#                       run takes a few minutes, later ones seconds
#   default             govulncheck's own, https://vuln.go.dev (needs the internet;
#                       the freshest, use it wherever the internet is reachable)
#   anything else       given to govulncheck -db as it is (https://… or file:///abs/dir)
#
# Exit status: 0 nothing reachable, 3 reachable vulnerabilities (listed),
# anything else: the audit could not run.
set -euo pipefail

export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tools=${SUPPLY_TOOLS:-$root/dist/tools}
GOVULNCHECK_VERSION=v1.9.0
VULNDB_MODULE=golang.org/x/vulndb
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
VULNDB=${VULNDB:-snapshot}

say() { echo "audit: $*" >&2; }
die() { say "$*"; exit 1; }

# has_module BINARY MODULE VERSION: the binary was built from MODULE@VERSION.
# (go version -m is read whole first: grep -q closing the pipe early would
# fail the pipeline under pipefail.)
has_module() {
  local info
  [ -x "$1" ] && info=$(go version -m "$1" 2>/dev/null) &&
    grep -q "^[[:space:]]*mod[[:space:]]$2[[:space:]]$3[[:space:]]" <<<"$info"
}

install_govulncheck() {
  if has_module "$tools/govulncheck" golang.org/x/vuln "$GOVULNCHECK_VERSION"; then
    return
  fi
  say "installing govulncheck $GOVULNCHECK_VERSION into dist/tools (first time only, about 2 minutes)"
  mkdir -p "$tools"
  (cd "$tools" && GOWORK=off GOBIN=$tools go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION") ||
    die "could not install govulncheck $GOVULNCHECK_VERSION"
}

# install_indexdb builds the vulndb module's cmd/indexdb, which turns the
# module's OSV files into the database layout govulncheck reads.
install_indexdb() {
  if has_module "$tools/indexdb" "$VULNDB_MODULE" "$VULNDB_VERSION"; then
    return
  fi
  say "building indexdb from $VULNDB_MODULE@$VULNDB_VERSION (first time only, about 2 to 5 minutes)"
  mkdir -p "$tools"
  if (cd "$tools" && GOWORK=off GOBIN=$tools go install "$VULNDB_MODULE/cmd/indexdb@$VULNDB_VERSION"); then
    return
  fi
  # go install refuses a module whose go.mod has replace directives or whose
  # go.sum is incomplete: build it in a writable copy instead.
  say "go install failed; building indexdb in a temporary copy of the module"
  local src tmp
  src=$(module_dir)
  tmp=$(mktemp -d)
  cp -r "$src/." "$tmp/"
  chmod -R u+w "$tmp"
  (cd "$tmp" && GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" go build -o "$tools/indexdb" ./cmd/indexdb) ||
    { rm -rf "$tmp"; die "could not build indexdb from $VULNDB_MODULE@$VULNDB_VERSION"; }
  rm -rf "$tmp"
}

# module_dir downloads the vulndb module (a no-op when cached) and prints its directory.
module_dir() {
  local dir
  dir=$(cd "$tools" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$VULNDB_MODULE@$VULNDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir/data/osv" ]; then
    die "could not download $VULNDB_MODULE@$VULNDB_VERSION (is the Go module proxy reachable?)"
  fi
  echo "$dir"
}

# snapshot_db prints the path of the database built from the pinned vulndb
# module, building it first unless dist/tools/vulndb already holds it.
snapshot_db() {
  local db=$tools/vulndb stamp="$VULNDB_MODULE@$VULNDB_VERSION"
  if [ -f "$db/index/db.json" ] && [ "$(cat "$db/SOURCE" 2>/dev/null)" = "$stamp" ]; then
    echo "$db"
    return
  fi
  mkdir -p "$tools"
  # One builder at a time (parallel test runs share dist/tools).
  exec 9>"$tools/.vulndb.lock"
  flock 9 2>/dev/null || true
  if [ -f "$db/index/db.json" ] && [ "$(cat "$db/SOURCE" 2>/dev/null)" = "$stamp" ]; then
    exec 9>&-
    echo "$db"
    return
  fi
  install_indexdb
  local src tmp
  src=$(module_dir)
  say "building the vulnerability database from $stamp ($(find "$src/data/osv" -name '*.json' | wc -l) entries)"
  tmp=$(mktemp -d "$tools/vulndb.tmp.XXXXXX")
  rmdir "$tmp" # indexdb creates it
  "$tools/indexdb" -vulns "$src/data/osv" -out "$tmp" || { rm -rf "$tmp"; die "indexdb failed"; }
  echo "$stamp" >"$tmp/SOURCE"
  rm -rf "$db"
  mv "$tmp" "$db"
  exec 9>&-
  say "database cached in ${db#"$root"/} (delete it to rebuild)"
  echo "$db"
}

dir=${1:-$root}
shift || true
[ -d "$dir" ] || die "no such directory: $dir"
[ -f "$dir/go.mod" ] || die "$dir has no go.mod"
dir=$(cd "$dir" && pwd)
shown=${dir#"$root"/}
[ "$dir" != "$root" ] || shown="the repository"
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=(./...)

install_govulncheck

case $VULNDB in
snapshot)
  db=$(snapshot_db)
  dburl=file://$db
  what="the $VULNDB_MODULE@$VULNDB_VERSION snapshot"
  ;;
default | online)
  dburl=
  what="govulncheck's default database (https://vuln.go.dev)"
  ;;
*)
  dburl=$VULNDB
  what=$VULNDB
  ;;
esac

say "scanning $shown (${patterns[*]}) with $(go env GOVERSION), against $what"
args=()
[ -z "$dburl" ] || args+=(-db "$dburl")
status=0
(cd "$dir" && "$tools/govulncheck" "${args[@]}" "${patterns[@]}") || status=$?
case $status in
0) say "ok: no reachable vulnerabilities in $shown" ;;
3) say "FAILED: $shown can reach the vulnerabilities above; upgrade to the 'Fixed in' versions (go get MODULE@VERSION, go mod tidy)" ;;
*) say "govulncheck could not run (exit $status)" ;;
esac
exit "$status"
