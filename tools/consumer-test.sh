#!/usr/bin/env bash
# Consumer test: pack the library, install the tarball (and its peer dependencies, from the
# registry) into a fresh project, type-check a program that composes single components
# (consumer/src) under three module resolutions (node16, node10/commonjs, bundler) with the
# library's declarations checked (skipLibCheck off), run it under mocks with assertions, and plan it with the packaged
# `ragstack-plan` command.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
npm run build --silent
# just built: no second compile by the prepare script
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"

# Only what a consumer needs is published: no tests, tools, examples or the stack program.
listing=$(tar tzf "$work/$tarball")
if echo "$listing" | grep -E '^package/(dist/(test/|tools/|examples/|index\.js|policies/index\.js)|test/|tools/|examples/|node_modules/|consumer/)'; then
  echo "the package publishes files a consumer does not need" >&2
  exit 1
fi
echo "$listing" | grep -q '^package/dist/facade/index.d.ts$'
echo "$listing" | grep -q '^package/dist/policies/lib/index.js$'
echo "$listing" | grep -q '^package/dist/testing/bin/ragstack-plan.js$'
echo "$listing" | grep -q '^package/LICENSE$'

mkdir "$work/project"
cp -r "$root/consumer/." "$work/project/"
rm -rf "$work/project/node_modules" "$work/project/dist"
cd "$work/project"
# The peers at the lowest versions their ranges allow, which are the ones this repository pins
# and tests with (package-lock.json; a drift between the two fails here), then, in a second round,
# at the highest versions the ranges allow (what npm gives a new project today).
lowest=$(cd "$root" && node -e '
  const p = require("./package.json"), lock = require("./package-lock.json");
  const out = [];
  for (const [n, range] of Object.entries(p.peerDependencies)) {
    const min = range.replace(/^[\^~>=]+/, "");
    const pinned = lock.packages["node_modules/" + n].version;
    if (!/^\^\d+\.\d+\.\d+$/.test(range)) throw new Error(`${n}: peer range ${range}; allowed: ^x.y.z`);
    if (pinned !== min) throw new Error(`${n}: tested at ${pinned} but the peer range ${range} allows ${min}: test the lowest`);
    out.push(`${n}@${min}`);
  }
  console.log(out.join(" "));')
highest=$(cd "$root" && node -e '
  const p = require("./package.json");
  console.log(Object.entries(p.peerDependencies).map(([n, r]) => `${n}@${r}`).join(" "));')
npm install --no-audit --no-fund --prefer-offline "$work/$tarball" $lowest typescript@5.9.3 "@types/node@^20.19.0" >/dev/null
# The peers' versions as require() loads them.
versions() { node -e 'for (const n of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"]) process.stdout.write(`${n}@${require(n + "/package.json").version} `)'; }

# Every check of one round: compile under each module resolution, the declarations with
# skipLibCheck off, the program under mocks, and the packaged plan command.
checks() {
# One copy of each SDK: the peers resolve to the project's, not to copies of their own.
copies=$(find node_modules -path '*node_modules/@pulumi/pulumi/package.json' | wc -l)
[ "$copies" -eq 1 ] || { find node_modules -path '*node_modules/@pulumi/pulumi/package.json' >&2; echo "$copies copies of @pulumi/pulumi" >&2; exit 1; }
npx tsc -p tsconfig.json
# Each module resolution resolves every subpath (node16 emits; node10/commonjs and bundler check).
for variant in tsconfig.commonjs.json tsconfig.bundler.json; do
  npx tsc -p "$variant" --noEmit
  echo "type-checked with $variant"
done
# The library's own declarations are checked (skipLibCheck off, once: they are the same files
# whatever the resolution); errors inside other packages' declarations (@pulumi/policy's
# index.d.ts names members its proxy.d.ts lacks) are theirs.
set +e
npx tsc -p tsconfig.json --noEmit --skipLibCheck false >tsc.txt
set -e
if grep -v '^node_modules/' tsc.txt | grep -q . || grep -q '^node_modules/@ragstack/' tsc.txt; then
  cat tsc.txt
  echo "the library's declarations do not type-check" >&2
  exit 1
fi
echo "the library's declarations type-check with skipLibCheck off ($(grep -c '^node_modules/' tsc.txt || true) errors in other packages' declarations)"
node dist/check.js

# The packaged plan command on the consumer's own program and stack.
set +e
npx --no-install ragstack-plan --stack dev --json >plan.json
rc=$?
set -e
node -e '
  const doc = require("./plan.json"), rc = Number(process.argv[1]);
  const types = new Set(doc.resources.map((r) => r.type));
  for (const t of ["ragstack:aws:Database", "ragstack:aws:Cache", "ragstack:kubernetes:Llm", "kubernetes:apps/v1:StatefulSet"])
    if (!types.has(t)) throw new Error(`ragstack-plan: ${t} missing from the plan`);
  const mandatory = doc.policy.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy);
  // The consumer created no NetworkPolicy for its LLM namespace: the gate says so and fails (exit 1).
  if (rc !== 1 || !mandatory.includes("kubernetes-networking-networkpolicy-require-workload-coverage"))
    throw new Error(`ragstack-plan: expected exit 1 with the NetworkPolicy finding, got ${rc}: ${mandatory.join(", ")}`);
  console.log(`ragstack-plan: ${doc.resources.length} resources, exit ${rc}, mandatory: ${[...new Set(mandatory)].join(", ")}`);
' "$rc"
set +e
npx --no-install ragstack-plan --stack dev --set team-x:llmReplica=3 >typo.txt 2>&1
rc=$?
set -e
if [ "$rc" -ne 2 ] || ! grep -q "llmReplicas" typo.txt; then
  cat typo.txt
  echo "ragstack-plan: a misspelt key must exit 2 and suggest llmReplicas (exit $rc)" >&2
  exit 1
fi
echo "ragstack-plan: a misspelt key exits 2: $(grep -m1 llmReplicas typo.txt)"
}

echo "round 1: the lowest supported peers: $(versions)"
checks
npm install --no-audit --no-fund --no-save $highest >/dev/null
echo "round 2: the highest supported peers: $(versions)"
checks
