#!/usr/bin/env bash
# The SDK release matrix: runs the same small scenario set (scenario files in python/, js/, java/, go/) once per
# release in releases.txt, each against its own emulator (with_emulator.py), and writes per release
#   logs/matrix/<id>.xml (JUnit; Go: <id>.log, `go test -v` output), <id>.emulator.log, and one line of
#   logs/matrix/summary.tsv: id, exit code, seconds.
# Called by ../run.sh (which builds dist/ first and turns the reports into results.md); exits non-zero when any
# release failed. Dependencies come from ../ci-setup.sh.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="$HERE/../logs/matrix"

# One release: the command that runs its scenarios, from its language's dir (run.sh --one <id> <sdk> <version>,
# which with_emulator.py starts with the emulator's SBEMU_* variables set). SDK version checks happen inside the
# scenarios (the "sdk version" test), so a stale venv / lockfile / modfile shows up as a failure, not a wrong label.
run_release() {
  local id=$1 sdk=$2 version=$3
  case "$sdk" in
    python)
      # one venv per release, python/.venv-<minor> (ci-setup.sh)
      cd "$HERE/python" && "./.venv-${version%.*}/bin/python" -m pytest -q -p no:cacheprovider --junitxml="$OUT/$id.xml" ;;
    js)
      # the release's package dir: js/ (own package.json + lockfile) when it holds this version, else the
      # repository root, whose devDependency is the other release
      local dir="$HERE/js"
      [ "$(node -p "require('$dir/node_modules/@azure/service-bus/package.json').version" 2>/dev/null)" = "$version" ] || dir="$ROOT"
      cd "$HERE/js" && SBEMU_JS_SDK_DIR="$dir" node --test --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=junit --test-reporter-destination="$OUT/$id.xml" release.test.mjs ;;
    java)
      # -Dservicebus.version selects the release; each version builds into target/<version>
      cd "$HERE/java" && rm -rf "target/$version/surefire-reports" &&
        { mvn -B -ntp -q test -Dservicebus.version="$version"; local rc=$?
          cp "target/$version/surefire-reports/TEST-matrix.ReleaseTest.xml" "$OUT/$id.xml" 2>/dev/null; return $rc; } ;;
    go)
      # go.mod pins the newest release, go.v<major.minor>.mod an older one; GOFLAGS reaches the test's `go list` too
      local modfile="go.v${version#v}"; modfile="${modfile%.*}.mod"
      [ -f "$HERE/go/$modfile" ] || modfile=go.mod
      cd "$HERE/go" && GOFLAGS="-modfile=$modfile" go test -count=1 -v -timeout 5m ./... 2>&1 | tee "$OUT/$id.log"
      return "${PIPESTATUS[0]}" ;;
    *) echo "matrix: unknown sdk $sdk"; return 2 ;;
  esac
}

if [ "${1:-}" = --one ]; then
  shift
  run_release "$@"
  exit $?
fi

rm -rf "$OUT"
mkdir -p "$OUT"
failed=()
while read -r id sdk version connect _; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  printf '\n== matrix: %s (%s %s, connect: %s)\n' "$id" "$sdk" "$version" "$connect"  # \n: mvn -q leaves a line open
  # amqps-5671: a release that can only reach TLS on port 5671 (see releases.txt); everything else: ports the
  # emulator picks
  amqps_port=0
  [ "$connect" = amqps-5671 ] && amqps_port=5671
  start=$SECONDS
  SBEMU_CONNECT="${connect%-5671}" SBEMU_SDK_VERSION="$version" \
    python3 "$HERE/with_emulator.py" --amqps-port "$amqps_port" "$OUT/$id.emulator.log" -- \
    bash "$HERE/run.sh" --one "$id" "$sdk" "$version" </dev/null  # not releases.txt, which this loop reads
  rc=$?
  printf '%s\t%s\t%s\n' "$id" "$rc" "$((SECONDS - start))" >>"$OUT/summary.tsv"
  [ "$rc" -eq 0 ] || failed+=("$id")
done <"$HERE/releases.txt"

echo "matrix: ${#failed[@]} release(s) failed${failed[*]:+: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
