#!/usr/bin/env bash
# The real Pulumi CLI, built from its Go module (github.com/pulumi/pulumi/pkg/v3, pinned), checks
# Pulumi.yaml and every Pulumi.<stack>.yaml the way `pulumi preview` does: project schema, typed
# config, required keys. The Node.js language host and the Kubernetes/AWS providers are not
# served by the Go module proxy this project builds from (403), so the preview cannot go past
# loading the program: the check passes when config validation succeeded and the only error is
# the missing language host. See the closing note of the "checks by tools written elsewhere" issue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PULUMI_PKG=github.com/pulumi/pulumi/pkg/v3@v3.259.0
bin="$(go env GOPATH)/bin/pulumi-cli-v3.259.0"

if [ ! -x "$bin" ]; then
  src=$(mktemp -d)
  dir=$(cd "$src" && go mod init tmp >/dev/null 2>&1 && go mod download -json "$PULUMI_PKG" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  cp -r "$dir/." "$src/pkg" && chmod -R u+w "$src/pkg"
  # The module replaces the SDK with a sibling folder of its repository; use the published SDK.
  (cd "$src/pkg" && go mod edit -dropreplace github.com/pulumi/pulumi/sdk/v3 && GOFLAGS=-mod=mod go build -o "$bin" ./cmd/pulumi)
  rm -rf "$src"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULUMI_CONFIG_PASSPHRASE=ci PULUMI_BACKEND_URL="file://$work/state" PULUMI_HOME="$work/home" PULUMI_SKIP_UPDATE_CHECK=1
mkdir -p "$work/state"
cd "$root"
status=0
for file in Pulumi.*.yaml; do
  stack=${file#Pulumi.}
  stack=${stack%.yaml}
  [ "$stack" = "yaml" ] && continue
  "$bin" stack select --create "$stack" --non-interactive >/dev/null 2>&1
  out=$("$bin" preview --stack "$stack" --non-interactive 2>&1 || true)
  if echo "$out" | grep -q "validating stack config\|error: .*Pulumi.yaml"; then
    echo "$out" >&2
    echo "pulumi CLI: stack $stack: config rejected" >&2
    status=1
  elif echo "$out" | grep -q "no language plugin 'pulumi-language-nodejs'"; then
    echo "pulumi CLI: stack $stack: project and config accepted (the program itself needs the Node.js language host)"
  else
    echo "$out" >&2
    echo "pulumi CLI: stack $stack: unexpected result" >&2
    status=1
  fi
done
exit $status
