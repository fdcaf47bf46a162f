#!/usr/bin/env bash
# test.sh runs every test of secrun: formatting, vet, unit and integration tests, short fuzz
# runs and the release cross-builds. .ci/run calls it; so can you, from any directory.
set -euo pipefail
cd "$(dirname "$0")"
export CGO_ENABLED="${CGO_ENABLED:-1}"

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...

# Real services for the integration tests: each testenv/*.sh (other than lib.sh) installs
# and starts one service and exports the variables its tests look for.
. testenv/lib.sh
trap run_exit_hooks EXIT
for svc in testenv/*.sh; do
  [ "$svc" = testenv/lib.sh ] && continue
  step "service: $(basename "$svc" .sh)"
  . "$svc"
done

step "go test (unit and integration)"
go test -count=1 ./...

step "go test -race (packages with concurrency)"
if go env CC >/dev/null 2>&1 && command -v "$(go env CC)" >/dev/null; then
  go test -count=1 -race -short ./keystore/ ./launcher/
else
  echo "no C compiler: the race detector needs cgo" >&2
  [ "${CI:-}" = true ] && exit 1
fi

step "fuzz (bounded)"
# Each target starts from its seed corpus (f.Add and testdata/fuzz) and runs a bounded number
# of inputs (a few seconds each here). A count, not a time: with -fuzztime=4s the fuzzer
# sometimes fails with "context deadline exceeded" when the time runs out mid-input.
fuzz() { go test -run='^$' -fuzz="^$2\$" -fuzztime="$3" -fuzzminimizetime=50x "./$1/"; }
fuzz envdef FuzzParse 100000x
fuzz envdef FuzzParseYAML 30000x
fuzz envdef FuzzSplitWords 60000x
fuzz envdef FuzzInstanceResolve 60000x
fuzz keystore FuzzParseStore 30000x
fuzz internal/names FuzzKeyProblem 60000x
fuzz internal/cli FuzzShebangArgs 60000x
fuzz launcher FuzzMask 100000x

step "cross-builds"
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    printf '%s/%s ' "$os" "$arch"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -o /dev/null .
    if [ "$os" != windows ]; then # the lean build, as .goreleaser.yaml ships it
      CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -tags lean -o /dev/null .
    fi
  done
done
echo

step "release packages (scripts/release-check.sh)"
if command -v goreleaser >/dev/null || [ -x "$HOME/go/bin/goreleaser" ]; then
  scripts/release-check.sh >"${TMPDIR:-/tmp}/secrun-release-check.log" 2>&1 ||
    { tail -40 "${TMPDIR:-/tmp}/secrun-release-check.log"; exit 1; }
  grep -E '^(release-check|Package|Version|Architecture):? ' "${TMPDIR:-/tmp}/secrun-release-check.log"
else
  # Installing GoReleaser takes about 4 minutes here, so it is not part of every run.
  echo "goreleaser not installed: skipped; run scripts/release-check.sh --install"
fi

step "all tests passed"
