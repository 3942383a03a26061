#!/usr/bin/env bash
# Builds the local control plane `npm run cluster:check` runs, at pinned versions, into one folder:
#   etcd                     go.etcd.io/etcd/server/v3 (its four ../ replaces dropped)
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#                            k8s.io/kubernetes (its ./staging replaces dropped in favour of the
#                            published k8s.io/* v0.x modules of the same release)
#   kwok                     sigs.k8s.io/kwok/cmd/kwok (simulated nodes and Pod lifecycles)
# Idempotent like tools/engine/build.sh: a binary is rebuilt only when missing or of another pin.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tools/cluster/versions.sh"
bin=$CLUSTER_BIN
mkdir -p "$bin/.stamps"
export GOTOOLCHAIN=local

stamp_ok() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$bin/.stamps/$1"; }
elapsed() { echo "cluster: $1 built in $(( $(date +%s) - $2 )) s"; }
module_copy() {
  local mod=$1 tmp dir
  tmp=$(mktemp -d)
  dir=$(cd "$tmp" && go mod init tmp >/dev/null 2>&1 && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -n "$dir" ] || { echo "cluster: cannot download $mod" >&2; exit 1; }
  cp -r "$dir/." "$tmp/src" && chmod -R u+w "$tmp/src"
  echo "$tmp/src"
}

# The module paths that go.mod (in the current folder) replaces with a local path starting with $1.
local_replaces() {
  go mod edit -json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const r of JSON.parse(s).Replace||[])if(r.New.Path.startsWith(process.argv[1]))console.log(r.Old.Path)})' "$1"
}

# etcd
key="etcd $ETCD_VERSION"
if ! stamp_ok etcd "$key"; then
  t=$(date +%s); src=$(module_copy "go.etcd.io/etcd/server/v3@v$ETCD_VERSION")
  (cd "$src"
   for r in $(local_replaces '../'); do go mod edit -dropreplace "$r" -require "$r@v$ETCD_VERSION"; done
   GOWORK=off GOFLAGS=-mod=mod go build -o "$bin/etcd" .)
  rm -rf "$(dirname "$src")"; stamp etcd "$key"; elapsed etcd "$t"
fi

# Kubernetes control plane and kubectl
key="kubernetes $KUBERNETES_VERSION"
need=0
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do stamp_ok "$b" "$key" || need=1; done
if [ $need = 1 ]; then
  t=$(date +%s); src=$(module_copy "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  staging="0.${KUBERNETES_VERSION#1.}"
  (cd "$src"
   for r in $(local_replaces './staging/'); do go mod edit -dropreplace "$r" -require "$r@v$staging"; done
   minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
   ld="-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"
   for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
     GOWORK=off GOFLAGS=-mod=mod go build -ldflags "$ld" -o "$bin/$b" "./cmd/$b"
     stamp "$b" "$key"
     echo "cluster: $b done after $(( $(date +%s) - t )) s"
   done)
  rm -rf "$(dirname "$src")"; elapsed kubernetes "$t"
fi

# kwok
key="kwok $KWOK_VERSION"
if ! stamp_ok kwok "$key"; then
  t=$(date +%s)
  GOBIN="$bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  stamp kwok "$key"; elapsed kwok "$t"
fi
echo "cluster: ready in $bin"
