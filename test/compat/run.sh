#!/usr/bin/env bash
# npm run test:compat: builds the emulator, then runs the official Python, Java and Go SDK suites and
# the Qpid JMS suite against it (each suite starts its own emulator from dist/cli.js on free ports), then the SDK release
# matrix (matrix/run.sh: a small scenario set per SDK release, one emulator each), writes the
# scenario x SDK and scenario x release tables to test/compat/results.md, prints them, and exits
# non-zero if any suite or any release failed.
# Toolchains and dependencies come from test/compat/ci-setup.sh (run here when the venv is missing).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/logs"
mkdir -p "$OUT"
rm -f "$OUT"/python.xml "$OUT"/go.log
cd "$ROOT"

echo "== build"
npm run build || { echo "compat: build failed"; exit 1; }

if [ ! -x "$HERE/python/.venv/bin/python" ] || [ ! -d "$HERE/matrix/js/node_modules" ]; then
  echo "== python venv or matrix dependencies missing: running ci-setup.sh"
  bash "$HERE/ci-setup.sh" || { echo "compat: ci-setup.sh failed"; exit 1; }
fi

declare -A RC
echo "== python (azure-servicebus)"
(cd "$HERE/python" && .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml="$OUT/python.xml")
RC[python]=$?

echo "== java (azure-messaging-servicebus)"
rm -rf "$HERE/java/target/surefire-reports"
(cd "$HERE/java" && mvn -B -ntp test)
RC[java]=$?

echo "== jms (Qpid JMS)"
rm -rf "$HERE/jms/target/surefire-reports"
(cd "$HERE/jms" && mvn -B -ntp test)
RC[jms]=$?

echo "== go (azservicebus)"
(cd "$HERE/go" && go test -count=1 -v -timeout 15m ./... 2>&1 | tee "$OUT/go.log"; exit "${PIPESTATUS[0]}")
RC[go]=$?

echo "== SDK release matrix"
bash "$HERE/matrix/run.sh"
RC[matrix]=$?

echo "== results"
python3 "$HERE/results.py" "$OUT/python.xml" "$HERE/java/target/surefire-reports" "$OUT/go.log" "$OUT/matrix" "$HERE/jms/target/surefire-reports"

failed=0
for s in python java jms go matrix; do
  if [ "${RC[$s]}" -ne 0 ]; then echo "compat: $s failed (exit ${RC[$s]})"; failed=$((failed + 1)); fi
done
echo "compat: $((5 - failed)) of 5 passed (python, java, jms, go suites; SDK release matrix), $failed failed"
[ "$failed" -eq 0 ]
