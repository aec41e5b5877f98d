#!/usr/bin/env bash
# Runs every suite (Hardhat TS tests, Solidity fuzz/invariant tests, the SDK, indexer and service
# vitest suites, the packed-SDK consumer check), keeps each log under .onekey/test-logs/, and ends
# with one line `N passed, N failed, N skipped`.
# Exit status is non-zero when any suite fails or reports a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export HARDHAT_DISABLE_TELEMETRY=true PONDER_TELEMETRY_DISABLED=1 FORCE_COLOR=0 NO_COLOR=1

LOGS=.onekey/test-logs
rm -rf "$LOGS"; mkdir -p "$LOGS"
passed=0; failed=0; skipped=0; status=0

# Hardhat's reporters print "N passing" / "N failing" / "N pending".
count_mocha() { # log -> "passed failed skipped"
  local p f k
  p=$(grep -Eo '^[[:space:]]*[0-9]+ passing' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '^[[:space:]]*[0-9]+ failing' "$1" | awk '{s+=$1} END {print s+0}')
  k=$(grep -Eo '^[[:space:]]*[0-9]+ pending' "$1" | awk '{s+=$1} END {print s+0}')
  echo "$p $f $k"
}

# Our own checks (scripts/consumer-check.ts) end with "N passed, N failed".
count_total() { # log -> "passed failed skipped"
  tail -n 1 "$1" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {print $1, $3, 0; ok=1} END {if (!ok) print "0 1 0"}'
}

count_vitest() { # json -> "passed failed skipped"
  node -e 'const r=require(process.argv[1]);console.log(`${r.numPassedTests} ${r.numFailedTests + (r.success===false && r.numFailedTests===0 ? 1 : 0)} ${r.numPendingTests + r.numTodoTests}`)' "$PWD/$1" 2>/dev/null || echo "0 1 0"
}

run_suite() { # name kind command...
  local name=$1 kind=$2; shift 2
  local log="$LOGS/$name.log" json="$LOGS/$name.json"
  echo "== $name: $*"
  local rc=0
  if [ "$kind" = check ]; then
    # A whole-tree check (types, generated files): one test that passes or fails.
    "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then p=1; f=0; else p=0; f=1; fi; k=0
  elif [ "$kind" = total ]; then
    "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
    read -r p f k < <(count_total "$log")
  elif [ "$kind" = vitest ]; then
    "$@" --reporter=default --reporter=json --outputFile.json="$PWD/$json" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
    read -r p f k < <(count_vitest "$json")
  else
    "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
    read -r p f k < <(count_mocha "$log")
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "!! $name exited $rc"; fi
  [ "$rc" -ne 0 ] && status=1
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + k))
  echo "== $name: $p passed, $f failed, $k skipped"
}

run_suite typecheck check npx tsc --noEmit -p .
run_suite typecheck-indexer check npx tsc --noEmit -p indexer
run_suite typecheck-review check npx tsc --noEmit -p services/review
run_suite typecheck-app check npx tsc --noEmit -p app
# Biome (TypeScript lint and format check over the whole tree) and solhint over contracts/.
run_suite lint check npm run --silent lint
run_suite abis check node scripts/gen-abis.ts --check
# Scripts, Hardhat tests and the indexer's Ponder processes load the built SDK (dist/).
run_suite build-sdk check node scripts/sdk-build.ts --force
run_suite contracts mocha npx hardhat test nodejs
run_suite solidity mocha npx hardhat test solidity
has_tests() { [ -n "$(find "$1" -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | head -1)" ]; }
has_tests sdk/src && run_suite sdk vitest npx vitest run --root sdk
has_tests indexer/test && run_suite indexer vitest npx vitest run --root indexer
has_tests services/shared/test && run_suite server-shared vitest npx vitest run --root services/shared
has_tests services/sponsor/test && run_suite sponsor-service vitest npx vitest run --root services/sponsor
has_tests services/review && run_suite review vitest npx vitest run --root services/review
# The web app: component tests (happy-dom) and end-to-end tests in Debian's Chromium against the
# local stack (app/test/e2e/harness.ts builds the app and starts the stack once).
has_tests app/test && run_suite app vitest npx vitest run --root app
# The SDK as an outsider installs it: packed, installed outside the repo, imported on Node 20 and 22,
# type-checked under both resolutions, bundled for the browser with Vite.
run_suite consumer total node scripts/consumer-check.ts

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && exit $status || exit 1
