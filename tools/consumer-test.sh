#!/usr/bin/env bash
# Consumer test: pack the library, install the tarball into a fresh project, compile a program
# that composes single components (consumer/src), and run it under mocks with assertions.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
npm run build --silent
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"

# Only what a consumer needs is published: no tests, tools, examples or the stack program.
listing=$(tar tzf "$work/$tarball")
if echo "$listing" | grep -E '^package/(dist/(test|tools|examples|index\.js)|test/|tools/|examples/|node_modules/)'; then
  echo "the package publishes files a consumer does not need" >&2
  exit 1
fi
echo "$listing" | grep -q '^package/dist/components/index.d.ts$'
echo "$listing" | grep -q '^package/dist/policies/lib/index.js$'

mkdir "$work/project"
cp -r "$root/consumer/." "$work/project/"
rm -rf "$work/project/node_modules" "$work/project/dist"
cd "$work/project"
npm install --no-audit --no-fund --prefer-offline "$work/$tarball" typescript@5.9.3 "@types/node@^20.19.0" >/dev/null
npx tsc -p tsconfig.json
node dist/check.js
