# Pinned versions of the local control plane (sourced by the cluster scripts). Change a pin here
# and the next build rebuilds the binaries built from it.
KUBERNETES_VERSION=1.34.4
ETCD_VERSION=3.6.16
KWOK_VERSION=0.8.0
CLUSTER_BIN=${RAGSTACK_CLUSTER_BIN:-$(go env GOPATH)/k8s-local/bin}
