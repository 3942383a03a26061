#!/usr/bin/env bash
# Plans every stack x target and the examples at a base revision and at the working tree, and
# diffs the results: plan.json, the rendered Kubernetes manifests and the diagram, byte for byte,
# and the plans' exit codes (a file "exits" lists the ones that were not 0).
# For refactors that must not change what is deployed: `bash tools/compare-plans.sh <rev>` (default
# HEAD~1) prints "plans identical" or the differences and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

plan_all() { # folder out
  local dir=$1 out=$2
  for stack in development staging production; do
    for target in aws kubernetes; do
      (cd "$dir" && node dist/tools/plan.js --stack "$stack" --target "$target" --out "$out/$stack-$target" >/dev/null 2>&1) || echo "$stack $target exit $?" >>"$out/exits"
    done
  done
  for ex in aws-staging byo-vpc-and-cluster onprem-production; do
    (cd "$dir" && node dist/tools/plan.js --stack example --dir "examples/$ex" --out "$out/example-$ex" >/dev/null 2>&1) || echo "example $ex exit $?" >>"$out/exits"
  done
}

git worktree add --detach "$work/base" "$base" >/dev/null 2>&1
ln -s "$PWD/node_modules" "$work/base/node_modules"
(cd "$work/base" && node node_modules/typescript/bin/tsc -p tsconfig.json)
node node_modules/typescript/bin/tsc -p tsconfig.json
plan_all "$work/base" "$work/before"
plan_all "$PWD" "$work/after"
if diff -r "$work/before" "$work/after"; then
  echo "plans identical: $(find "$work/after" -type f | wc -l) files (plan.json, manifests, diagrams) at $base and in the working tree"
else
  exit 1
fi
