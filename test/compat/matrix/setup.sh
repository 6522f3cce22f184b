#!/usr/bin/env bash
# Installs what the SDK release matrix needs, per release in releases.txt (called by ../ci-setup.sh):
#   python  python/.venv-<minor>: azure-servicebus==<version> + the main suite's pytest pins
#   js      js/node_modules from js/package-lock.json (the release that is not the root's devDependency)
#   java    the release's Maven dependencies, compiled once into java/target/<version>
#   go      the modules of go.mod / go.v<major.minor>.mod
# Idempotent: a second run only checks. The venvs are built in parallel (pip mostly waits on the network).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTEST_PINS=$(grep -E '^pytest' "$HERE/../python/requirements.txt")
venv_jobs=()

# releases.txt on fd 3: mvn, npm and go would otherwise read the loop's stdin and swallow releases
while read -r id sdk version _ <&3; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  echo "matrix setup: $id ($sdk $version)"
  case "$sdk" in
    python)
      venv="$HERE/python/.venv-${version%.*}"
      # shellcheck disable=SC2086 # one pin per word
      { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "azure-servicebus==$version" $PYTEST_PINS
      } >"$venv.setup.log" 2>&1 &
      venv_jobs+=("$!:$venv") ;;
    js)
      # only js/ is installed here; the root's devDependency comes from the root's npm ci
      if [ "$(node -p "require('$HERE/js/package.json').dependencies['@azure/service-bus']")" = "$version" ]; then
        (cd "$HERE/js" && npm ci --no-audit --no-fund --loglevel=error)
      fi ;;
    java)
      (cd "$HERE/java" && mvn -B -q -ntp dependency:resolve dependency:resolve-plugins test-compile -DskipTests \
        -Dservicebus.version="$version") ;;
    go)
      modfile="go.v${version#v}"; modfile="${modfile%.*}.mod"
      [ -f "$HERE/go/$modfile" ] || modfile=go.mod
      (cd "$HERE/go" && GOFLAGS="-modfile=$modfile" go mod download && GOFLAGS="-modfile=$modfile" go vet ./...) ;;
  esac
done 3<"$HERE/releases.txt"

for job in "${venv_jobs[@]}"; do
  wait "${job%%:*}" || { cat "${job#*:}.setup.log"; echo "matrix setup: ${job#*:} failed"; exit 1; }
  rm -f "${job#*:}.setup.log"
done
