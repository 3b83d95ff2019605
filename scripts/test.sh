#!/usr/bin/env bash
# The test command (`make test`): installs what the tests need, checks formatting, vets, and
# runs every Go test — with the race detector, the store contract suite on SQLite and on
# PostgreSQL among them; then the browser tests in headless Chromium with axe-core, without it.
#
# PostgreSQL: $OPENIEP_TEST_POSTGRES, else postgres://postgres@127.0.0.1:5432/postgres. The tests
# create and drop a database of their own. Unreachable PostgreSQL fails the run under CI=true
# and is reported loudly (and skipped) otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OPENIEP_TEST_OUTPUT:-$PWD/.test-output}
mkdir -p "$out"
export OPENIEP_TEST_OUTPUT=$out
export OPENIEP_TEST_POSTGRES=${OPENIEP_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}

step() { printf '\n== %s\n' "$*"; }

step "tools"
go version
# Chromium for the browser tests and the PDF documents, the Noto fonts the documents print in
# (Latin with Vietnamese marks, Arabic, Chinese), poppler-utils to read the PDFs back.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${need[*]} for the browser and document tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >"$out/apt.log" 2>&1 \
      || { echo "could not install ${need[*]} (see $out/apt.log)"; tail -n 20 "$out/apt.log"; }
  else
    echo "WARNING: missing ${need[*]}; install these Debian packages for the browser and document tests."
  fi
fi
command -v chromium >/dev/null 2>&1 && chromium --version 2>/dev/null || true

step "PostgreSQL"
if command -v pg_isready >/dev/null 2>&1; then
  if pg_isready -q -d "$OPENIEP_TEST_POSTGRES" -t 5; then
    echo "reachable: ${OPENIEP_TEST_POSTGRES%%\?*}"
  else
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! PostgreSQL is NOT reachable at ${OPENIEP_TEST_POSTGRES%%\?*}"
    echo "!! The store suite will $([ "${CI:-}" = true ] && echo FAIL || echo 'SKIP its PostgreSQL half')."
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  fi
else
  echo "pg_isready not found; the store tests will check PostgreSQL themselves"
fi

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "ok"

step "go vet"
go vet ./...
echo "ok"

# Two runs: every test but the browser tests with the race detector, then the browser tests
# (headless Chromium driving the real server) without it: under -race the server is several
# times slower and Chromium waits on it, which made internal/web alone take most of the budget.
# The code the browser tests reach runs under -race in the package's other tests.
step "go test -race ./... (browser tests without -race)"
log="$out/go-test.log"
set +e
go test -race -count=1 -timeout 20m -skip '^TestBrowser' -v ./... >"$log" 2>&1
status=$?
go test -count=1 -timeout 15m -run '^TestBrowser' -v ./internal/web/... >>"$log" 2>&1
browser_status=$?
[ "$status" -ne 0 ] || status=$browser_status
set -e
grep -E '^(ok|FAIL|---|\?)\s' "$log" | grep -v '^--- PASS' || true

passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
sqlite=$(grep -cE -- '--- PASS: TestStore/sqlite/' "$log" || true)
postgres=$(grep -cE -- '--- PASS: TestStore/postgres/' "$log" || true)
browser=$(grep -cE -- '--- PASS: TestBrowser' "$log" || true)
documents=$(grep -cE -- '--- PASS: Test(Document|Signing)' "$log" || true)

echo
echo "store contract suite: $sqlite tests passed on SQLite, $postgres on PostgreSQL"
echo "browser tests (headless Chromium + axe-core) passed: $browser"
echo "document tests (PDF in Chromium, read back with pdftotext) passed: $documents"
if [ "$skipped" -gt 0 ]; then
  echo "skipped:"; grep -E '^\s*--- SKIP' "$log" | sed 's/^/  /'
fi
if [ "$status" -ne 0 ]; then
  echo
  echo "FAILURES (full log: $log):"
  # (|| true: head closing the pipe early is not a failure of the run)
  grep -nE '^\s*--- FAIL|^FAIL|panic:|_test.go:[0-9]+:' "$log" | head -n 200 || true
fi
echo "full log: $log"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
