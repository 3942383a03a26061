#!/usr/bin/env bash
# Builds the real Pulumi engine this project is tested with, at pinned versions, into one folder
# to put first on PATH (printed at the end; also `tools/engine/env.sh`):
#   pulumi                      CLI            github.com/pulumi/pulumi/pkg/v3 (Go module)
#   pulumi-language-nodejs      language host  ../shared/vendor/pulumi-language-nodejs (upstream source)
#   pulumi-resource-kubernetes  provider       github.com/pulumi/pulumi-kubernetes/provider/v4 (Go module)
#   pulumi-resource-random      provider       ../shared/vendor/pulumi-random-provider (upstream source)
#   pulumi-language-yaml        language host  github.com/pulumi/pulumi-yaml (Go module; runs the YAML
#                                              program that uses the component package, provider/)
#   ragstack-gen-sdk            SDK generator  tools/engine/gen-sdk (this repository; the Python and Go
#                                              generators of github.com/pulumi/pulumi/pkg/v3/codegen)
# Idempotent: a binary is rebuilt only when it is missing or was built from another pin (a stamp
# file per binary records what it was built from). Sources are copied to a temp folder; neither
# ../shared nor this repository is changed. The recipe is ../shared/vendor/README.md's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${RAGSTACK_SHARED:-$root/../shared}
. "$root/tools/engine/versions.sh"
bin=$ENGINE_BIN
mkdir -p "$bin/.stamps"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

stamp_ok() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$bin/.stamps/$1"; }
elapsed() { echo "engine: $1 built in $(( $(date +%s) - $2 )) s"; }

# Copies a Go module from the module cache into a writable temp folder and prints the folder.
module_copy() {
  local mod=$1 tmp dir
  tmp=$(mktemp -d)
  dir=$(cd "$tmp" && go mod init tmp >/dev/null 2>&1 && go mod download -json "$mod" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -n "$dir" ] || { echo "engine: cannot download $mod" >&2; exit 1; }
  cp -r "$dir/." "$tmp/src" && chmod -R u+w "$tmp/src"
  echo "$tmp/src"
}

# A vendored source is pinned by the hash of its files, so an updated ../shared rebuilds it.
vendor_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }

# 1. The CLI.
key="pulumi $PULUMI_CLI_VERSION"
if ! stamp_ok pulumi "$key"; then
  t=$(date +%s); src=$(module_copy "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_CLI_VERSION")
  (cd "$src" && go mod edit -dropreplace github.com/pulumi/pulumi/sdk/v3 \
    && go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_CLI_VERSION" -o "$bin/pulumi" ./cmd/pulumi)
  rm -rf "$(dirname "$src")"; stamp pulumi "$key"; elapsed pulumi "$t"
fi

# 2. The Node.js language host (also runs policy packs).
src_dir="$shared/vendor/pulumi-language-nodejs"
[ -d "$src_dir" ] || { echo "engine: $src_dir not found (set RAGSTACK_SHARED)" >&2; exit 1; }
key="pulumi-language-nodejs $PULUMI_CLI_VERSION $(vendor_hash "$src_dir")"
if ! stamp_ok pulumi-language-nodejs "$key"; then
  t=$(date +%s); tmp=$(mktemp -d); cp -r "$src_dir/." "$tmp/src"; chmod -R u+w "$tmp/src"
  (cd "$tmp/src" && go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
      -require "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_CLI_VERSION" -require "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_CLI_VERSION" \
    && go mod tidy \
    && go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_CLI_VERSION" -o "$bin/pulumi-language-nodejs" .)
  rm -rf "$tmp"; stamp pulumi-language-nodejs "$key"; elapsed pulumi-language-nodejs "$t"
fi

# 3. The Kubernetes provider.
key="pulumi-resource-kubernetes $K8S_PROVIDER_MODULE $K8S_PROVIDER_VERSION"
if ! stamp_ok pulumi-resource-kubernetes "$key"; then
  t=$(date +%s); src=$(module_copy "$K8S_PROVIDER_MODULE")
  (cd "$src" && go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 \
    && (cd cmd/pulumi-resource-kubernetes && VERSION=$K8S_PROVIDER_VERSION go run generate.go) \
    && go build -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" -o "$bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
  rm -rf "$(dirname "$src")"; stamp pulumi-resource-kubernetes "$key"; elapsed pulumi-resource-kubernetes "$t"
fi

# 4. The random provider.
src_dir="$shared/vendor/pulumi-random-provider"
key="pulumi-resource-random $RANDOM_PROVIDER_VERSION $(vendor_hash "$src_dir")"
if ! stamp_ok pulumi-resource-random "$key"; then
  t=$(date +%s); tmp=$(mktemp -d); cp -r "$src_dir/." "$tmp/src"; chmod -R u+w "$tmp/src"
  (cd "$tmp/src" && (cd cmd/pulumi-resource-random && VERSION=$RANDOM_PROVIDER_VERSION go run generate.go) \
    && go build -ldflags "-X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=$RANDOM_PROVIDER_VERSION" -o "$bin/pulumi-resource-random" ./cmd/pulumi-resource-random)
  rm -rf "$tmp"; stamp pulumi-resource-random "$key"; elapsed pulumi-resource-random "$t"
fi

# 5. The YAML language host, for the component package check (a YAML program using RagPlatform).
# Its release hard-codes a package loader of its own, built on its SDK (v3.206), which starts
# Node.js language hosts with a `-root` flag the 3.259 host no longer has, so loading a Node.js
# component package fails. The engine's loader (`useRPCLoader`, what pulumi-yaml's own tests
# run) asks the CLI instead, which starts the package as `pulumi package get-schema` does. That
# one argument is the only change; the build fails if it is not found.
key="pulumi-language-yaml $YAML_LANGUAGE_VERSION rpc-loader"
if ! stamp_ok pulumi-language-yaml "$key"; then
  t=$(date +%s); src=$(module_copy "github.com/pulumi/pulumi-yaml@v$YAML_LANGUAGE_VERSION")
  main_go="$src/cmd/pulumi-language-yaml/main.go"
  grep -q 'false /\* useRPCLoader \*/' "$main_go" || { echo "engine: pulumi-yaml $YAML_LANGUAGE_VERSION: useRPCLoader argument not found" >&2; exit 1; }
  sed -i 's#false /\* useRPCLoader \*/#true /* useRPCLoader */#' "$main_go"
  (cd "$src" && go build -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_LANGUAGE_VERSION" -o "$bin/pulumi-language-yaml" ./cmd/pulumi-language-yaml)
  rm -rf "$(dirname "$src")"; stamp pulumi-language-yaml "$key"; elapsed pulumi-language-yaml "$t"
fi

# 6. The SDK generator for the component package check (Python and Go SDKs of provider/): the
# language hosts that `pulumi package add` would call are not served, their generators are.
src_dir="$root/tools/engine/gen-sdk"
key="ragstack-gen-sdk $(vendor_hash "$src_dir")"
if ! stamp_ok ragstack-gen-sdk "$key"; then
  t=$(date +%s)
  (cd "$src_dir" && GOFLAGS=-mod=readonly go build -o "$bin/ragstack-gen-sdk" .)
  stamp ragstack-gen-sdk "$key"; elapsed ragstack-gen-sdk "$t"
fi

echo "engine: ready in $bin ($("$bin/pulumi" version))"
