#!/usr/bin/env bash
# npm run test:compat: builds the emulator, then runs the official Python, Java and Go SDK suites
# against it (each suite starts its own emulator from dist/cli.js on free ports), writes the
# scenario x SDK matrix to test/compat/results.md, prints it, and exits non-zero if any suite failed.
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

if [ ! -x "$HERE/python/.venv/bin/python" ]; then
  echo "== python venv missing: running ci-setup.sh"
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

echo "== go (azservicebus)"
(cd "$HERE/go" && go test -count=1 -v -timeout 15m ./... 2>&1 | tee "$OUT/go.log"; exit "${PIPESTATUS[0]}")
RC[go]=$?

echo "== results"
python3 "$HERE/results.py" "$OUT/python.xml" "$HERE/java/target/surefire-reports" "$OUT/go.log"

failed=0
for s in python java go; do
  if [ "${RC[$s]}" -ne 0 ]; then echo "compat: $s suite failed (exit ${RC[$s]})"; failed=$((failed + 1)); fi
done
echo "compat suites: $((3 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
