#!/usr/bin/env bash
# Installs what the compat suites need on a clean Debian machine (the polyglot image has Node, Python 3.11,
# OpenJDK 17 + Maven and Go; apt fills any gap), then the suites' own dependencies:
#   python/.venv (requirements.txt), Maven dependencies and plugins (Java SDK and Qpid JMS suites), Go modules,
#   and per SDK release of the release matrix its venv / package dir / Maven dependencies / modules (matrix/setup.sh).
# Idempotent: a second run only checks.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v go >/dev/null || need_apt+=(golang-go)
command -v node >/dev/null || need_apt+=(nodejs npm)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "ci-setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

echo "ci-setup: python venv"
if [ ! -x "$HERE/python/.venv/bin/python" ]; then
  python3 -m venv "$HERE/python/.venv"
fi
"$HERE/python/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$HERE/python/requirements.txt"

echo "ci-setup: maven dependencies"
(cd "$HERE/java" && mvn -B -q -ntp dependency:resolve dependency:resolve-plugins test-compile -DskipTests)

echo "ci-setup: maven dependencies (Qpid JMS)"
(cd "$HERE/jms" && mvn -B -q -ntp dependency:resolve dependency:resolve-plugins test-compile -DskipTests)

echo "ci-setup: go modules"
(cd "$HERE/go" && go mod download && go vet ./...)

echo "ci-setup: SDK release matrix"
bash "$HERE/matrix/setup.sh"
echo "ci-setup: done"
