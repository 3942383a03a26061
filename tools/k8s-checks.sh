#!/usr/bin/env bash
# Checks written by others, on the rendered Kubernetes manifests of both environments:
#  - kubectl-validate: the OpenAPI schemas of Kubernetes 1.30 (built into the tool) plus the CRDs
#    of CloudNativePG, its Barman Cloud plugin, cert-manager, prometheus-operator and Gateway API,
#    taken from those projects' Go modules at pinned versions (the Go module proxy serves them),
#    External Secrets Operator's ExternalSecret, Cilium's CiliumNetworkPolicy and Envoy Gateway's
#    BackendTrafficPolicy (validation only: not installed by cluster:check);
#  - kube-score: every default check, with the exemptions below, each with its reason;
#  - kubectl-validate on the CloudNativePG Backup that tools/pre-deploy-snapshot.sh applies.
# Tools are installed with `go install` at pinned versions when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"

KUBECTL_VALIDATE=sigs.k8s.io/kubectl-validate@v0.0.4
KUBE_SCORE=github.com/zegl/kube-score/cmd/kube-score@v1.20.0
K8S_VERSION=1.30
# CRD modules and folders, pinned in tools/cluster/crds.json (shared with npm run cluster:check).
mapfile -t CRD_MODULES < <(node -e 'for (const m of require("./tools/cluster/crds.json").modules) console.log(`${m.module} ${m.dir}`)')
# kube-score checks exempted for the whole stack, and why:
#  container-image-pull-policy: images are pinned by tag or digest and pulled through an internal
#    mirror; Always would make every pod start depend on the registry being up.
#  networkpolicy-targets-pod: the Postgres policies select pods the CloudNativePG operator
#    creates (not in these manifests), and the edge namespace's deny-all guards pods to come.
KUBE_SCORE_IGNORE=(container-image-pull-policy networkpolicy-targets-pod)

command -v kubectl-validate >/dev/null || go install "$KUBECTL_VALIDATE"
command -v kube-score >/dev/null || go install "$KUBE_SCORE"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/mod" "$work/crds"
(cd "$work/mod" && go mod init crds >/dev/null 2>&1)
for entry in "${CRD_MODULES[@]}"; do
  module=${entry% *}
  sub=${entry#* }
  dir=$(cd "$work/mod" && go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  cp "$dir/$sub"/*.yaml "$work/crds/"
done
# External Secrets Operator's ExternalSecret (k8sSecrets external): this check only.
ESO_MODULE=github.com/external-secrets/external-secrets@v0.16.2
eso=$(cd "$work/mod" && go mod download -json "$ESO_MODULE" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp "$eso/config/crds/bases/external-secrets.io_externalsecrets.yaml" "$work/crds/"
# Cilium's CiliumNetworkPolicy (egressDestinations with k8sFqdnPolicy cilium): this check only.
CILIUM_MODULE=github.com/cilium/cilium@v1.20.2
cilium=$(cd "$work/mod" && go mod download -json "$CILIUM_MODULE" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp "$cilium/pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml" "$work/crds/"
# Envoy Gateway's BackendTrafficPolicy (k8sGatewayRateLimit envoy-gateway): this check only.
ENVOY_GATEWAY_MODULE=github.com/envoyproxy/gateway@v1.7.0
eg=$(cd "$work/mod" && go mod download -json "$ENVOY_GATEWAY_MODULE" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
cp "$eg/charts/gateway-helm/crds/generated/gateway.envoyproxy.io_backendtrafficpolicies.yaml" "$work/crds/"
chmod -R u+w "$work/crds"
echo "CRDs: $(ls "$work/crds" | wc -l) files from ${#CRD_MODULES[@]} modules"

npm run build --silent
# The three stacks, production restoring to a point in time (the recovery bootstrap's fields), and
# production with its credentials from External Secrets Operator, production with named egress
# destinations enforced by Cilium (a CiliumNetworkPolicy per host, a NetworkPolicy per CIDR),
# production with the gateway's limits enforced by Envoy Gateway (BackendTrafficPolicies, a
# WebSocket route), production in ingress mode with login and WebSocket paths (an Ingress each),
# and production and staging with the web front end (its Deployment, Service, NetworkPolicy, HPA, PDB, routes).
EGRESS_DESTINATIONS='[{"name":"openai","host":"api.openai.com","ports":[443]},{"name":"idp","host":"*.login.example.gov","ports":[443]},{"name":"ldap","cidr":"10.200.0.10/32","ports":[636]},{"name":"smtp","cidr":"192.0.2.0/28","ports":[587],"from":["api","llm"]}]'
LIMITS=(--set 'edgeLoginPaths=["/auth/login","/auth/token"]' --set 'edgeWebSocketPaths=["/ws"]' --set edgeMaxRequestBodyMiB=20)
for stack in development staging production production-restore production-external-secrets production-egress production-ratelimit production-ingress staging-frontend production-frontend; do
  out="$work/$stack"
  set_flags=()
  [ "$stack" = production-restore ] && set_flags=(--set "dbRestoreFrom=pitr:postgres@2026-11-29T08:15:00Z")
  [ "$stack" = production-external-secrets ] && set_flags=(--set k8sSecrets=external --set k8sExternalSecretStore=vault --set k8sExternalSecretPath=rag/production)
  [ "$stack" = production-egress ] && set_flags=(--set "egressDestinations=$EGRESS_DESTINATIONS" --set k8sFqdnPolicy=cilium)
  [ "$stack" = production-ratelimit ] && set_flags=(--set k8sGatewayRateLimit=envoy-gateway "${LIMITS[@]}")
  [ "$stack" = production-ingress ] && set_flags=(--set k8sEdgeMode=ingress "${LIMITS[@]}")
  [ "${stack#*-}" = frontend ] && set_flags=(--set frontendEnabled=true --set frontendImage=ghcr.io/example-gov/rag-frontend:1.0.0@sha256:85113ed2ff8902486e8d5bc9925299cc0f654c56ba66622033f4696162d3525a)
  node dist/tools/plan.js --stack "${stack%%-*}" --target kubernetes "${set_flags[@]}" --out "$out" >/dev/null
  files=$(find "$out/manifests" -name '*.yaml' | sort)
  echo "== $stack: $(echo "$files" | wc -l) objects"
  kubectl-validate $files --version "$K8S_VERSION" --local-crds "$work/crds" -o json > "$work/validate-$stack.json" || {
    cat "$work/validate-$stack.json"
    echo "kubectl-validate: invalid objects in $stack" >&2
    exit 1
  }
  echo "kubectl-validate: $(grep -c '"status": "Success"' "$work/validate-$stack.json") objects valid"
  ignore_flags=()
  for t in "${KUBE_SCORE_IGNORE[@]}"; do ignore_flags+=(--ignore-test "$t"); done
  if ! kube-score score $files "${ignore_flags[@]}" --exit-one-on-warning --output-format ci > "$work/score-$stack.txt"; then
    grep -E '^\[(WARNING|CRITICAL)\]' "$work/score-$stack.txt" >&2 || cat "$work/score-$stack.txt" >&2
    echo "kube-score: findings in $stack" >&2
    exit 1
  fi
  echo "kube-score: $(grep -c '^\[OK\]' "$work/score-$stack.txt") checks OK, 0 warnings, 0 critical"
done

# The CloudNativePG Backup that tools/pre-deploy-snapshot.sh applies before a deploy (its --dry-run
# manifest, with fake pulumi and kubectl answering for a production stack), against the same CRDs.
fake=$(mktemp -d "$work/fake.XXXXXX")
cat > "$fake/pulumi" <<'FAKE'
#!/usr/bin/env bash
echo '{"target":"kubernetes","preDeploySnapshot":true,"preDeploySnapshotRetentionDays":14,"cnpgNamespace":"rag-prod-data","cnpgCluster":"postgres","apiNamespace":"rag-prod-app","apiDeployment":"api","progressDeadlineSeconds":600}'
FAKE
printf '#!/usr/bin/env bash\nexit 0\n' > "$fake/kubectl"
chmod +x "$fake/pulumi" "$fake/kubectl"
PATH="$fake:$PATH" bash tools/pre-deploy-snapshot.sh --stack production --commit 0123456789abcdef0123456789abcdef01234567 --dry-run |
  sed -n '/<<EOF$/,/^EOF$/p' | sed '1d;$d' > "$work/pre-deploy-backup.yaml"
grep -q '^kind: Backup$' "$work/pre-deploy-backup.yaml" || { echo "pre-deploy-snapshot.sh printed no Backup manifest" >&2; exit 1; }
kubectl-validate "$work/pre-deploy-backup.yaml" --version "$K8S_VERSION" --local-crds "$work/crds" >/dev/null || {
  cat "$work/pre-deploy-backup.yaml" >&2
  echo "kubectl-validate: the pre-deploy Backup is invalid" >&2
  exit 1
}
echo "kubectl-validate: the pre-deploy Backup (tools/pre-deploy-snapshot.sh) is valid"
