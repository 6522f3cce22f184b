#!/usr/bin/env bash
# The SDK release matrix: runs the same small scenario set (scenario files in python/, js/, java/, go/) once per
# release in releases.txt, each against its own emulator (with_emulator.py), the SDKs side by side; writes per release
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

# The releases of one SDK, one after another (a fresh emulator each); releases.txt on fd 3 so that no command
# in the loop can read it.
run_sdk() {
  local want=$1 id sdk version connect amqps_port start
  while read -r id sdk version connect _ <&3; do
    [[ -z "$id" || "$id" == \#* || "$sdk" != "$want" ]] && continue
    printf '\n== matrix: %s (%s %s, connect: %s)\n' "$id" "$sdk" "$version" "$connect"  # \n: mvn -q leaves a line open
    # amqps-5671: a release that can only reach TLS on port 5671 (see releases.txt); everything else: ports the
    # emulator picks
    amqps_port=0
    [ "$connect" = amqps-5671 ] && amqps_port=5671
    start=$SECONDS
    SBEMU_CONNECT="${connect%-5671}" SBEMU_SDK_VERSION="$version" \
      python3 "$HERE/with_emulator.py" --amqps-port "$amqps_port" "$OUT/$id.emulator.log" -- \
      bash "$HERE/run.sh" --one "$id" "$sdk" "$version" </dev/null
    printf '%s\t%s\t%s\n' "$id" "$?" "$((SECONDS - start))" >>"$OUT/summary.tsv"  # one short append: atomic
  done 3<"$HERE/releases.txt"
}

# The SDKs run side by side (their releases mostly wait on timeouts and on the network, and each emulator has
# its own ports): about 60 s instead of 105 s one after another; each SDK's output is printed in one piece when done.
rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS
sdks=$(awk '!/^#/ && NF { print $2 }' "$HERE/releases.txt" | awk '!seen[$0]++')
for sdk in $sdks; do
  run_sdk "$sdk" >"$OUT/$sdk.out" 2>&1 &
done
wait
for sdk in $sdks; do
  cat "$OUT/$sdk.out"
done

# a release without an exit code 0 in summary.tsv failed (missing: its SDK's loop died)
failed=""
while read -r id _ <&3; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  grep -q "^$id"$'\t'"0"$'\t' "$OUT/summary.tsv" || failed+="$id "
done 3<"$HERE/releases.txt"
echo "matrix: $(wc -l <"$OUT/summary.tsv") releases run in $((SECONDS - started)) s, failed: ${failed:-none}"
[ -z "$failed" ]
