#!/usr/bin/env bash
# Runs a cross-section of `npm test` (CLI and packaging, TLS, the engine, the SDK tutorial) on each
# supported Node major other than the machine's own, which `npm test` has covered. A Node that the
# machine lacks comes from the npm registry's `node` package (it fetches the official binary).
#
#   bash test/node-versions.sh [major ...]     default: 22 24
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
own="$(node -p 'process.versions.node.split(".")[0]')"

for major in "${majors[@]}"; do
  if [ "$major" = "$own" ]; then
    echo "Node $major: the machine's own, covered by npm test"
    continue
  fi
  prefix="${TMPDIR:-/tmp}/sbemu-node-$major"
  if [ ! -x "$prefix/node_modules/.bin/node" ]; then
    mkdir -p "$prefix"
    [ -f "$prefix/package.json" ] || echo '{"private":true}' >"$prefix/package.json"
    (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error "node@$major" >/dev/null)
  fi
  bin="$prefix/node_modules/.bin"
  echo "==== Node $("$bin/node" --version) ===="
  # npm (a node script) runs on the Node first on PATH: the pack test's install sees this version.
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run \
    test/cli test/tls test/amqp/engine.test.ts test/amqp/hostile.test.ts test/sdk/tutorial.test.ts
done
