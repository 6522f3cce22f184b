#!/usr/bin/env bash
# Installs what the SDK release matrix needs, per release in releases.txt (called by ../ci-setup.sh):
#   python  python/.venv-<minor>: azure-servicebus==<version> + the main suite's pytest pins
#   js      js/node_modules from js/package-lock.json (the release that is not the root's devDependency)
#   java    the release's Maven dependencies, compiled once into java/target/<version>
#   go      the modules of go.mod / go.v<major.minor>.mod
# Idempotent: a second run only checks.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTEST_PINS=$(grep -E '^pytest' "$HERE/../python/requirements.txt")

while read -r id sdk version _; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  echo "matrix setup: $id ($sdk $version)"
  case "$sdk" in
    python)
      venv="$HERE/python/.venv-${version%.*}"
      [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
      # shellcheck disable=SC2086 # one pin per word
      "$venv/bin/python" -m pip install -q --disable-pip-version-check "azure-servicebus==$version" $PYTEST_PINS ;;
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
done <"$HERE/releases.txt"
