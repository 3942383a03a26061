#!/usr/bin/env bash
# Roll the API back to its previous version (docs/runbooks.md#ragapirolloutstuck).
#
#   tools/rollback.sh --stack production                  # names from the stack's `delivery` output
#   tools/rollback.sh --namespace rag-app --deployment api  # or given (no Pulumi needed)
#       [--to-revision N] [--timeout 600] [--context <kubeconfig context>] [--dry-run]
#
# Kubernetes: `kubectl rollout undo` of the API's Deployment (to the previous revision, or
# --to-revision), then `kubectl rollout status` until the restored template is rolled out (exit 1
# if it is not within --timeout seconds). The Deployment keeps five old ReplicaSets
# (revisionHistoryLimit), so the previous template is always there to return to.
#
# AWS: ECS rolls back by itself (the circuit breaker and the deployment alarms on the 5xx rate and
# the p95 latency, with the rolling and the blue/green strategy), so there is nothing to undo
# after a failed deployment. To return to an older version that deployed fine, pass its task
# definition: `--task-definition <family:revision>` runs `aws ecs update-service` and waits until
# the service is stable.
#
# After a rollback, put the previous image back in the stack file (`apiImage`) unless the pipeline
# owns it (`apiImageManagedByCi`), or the next `pulumi up` applies the bad version again.
# Exit codes: 0 rolled back, 1 a command failed or the rollout did not finish, 2 bad arguments.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

stack=""
namespace=""
deployment=""
revision=""
timeout=600
context=""
task_definition=""
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=${2:-}; shift 2 ;;
    --namespace) namespace=${2:-}; shift 2 ;;
    --deployment) deployment=${2:-}; shift 2 ;;
    --to-revision) revision=${2:-}; shift 2 ;;
    --timeout) timeout=${2:-}; shift 2 ;;
    --context) context=${2:-}; shift 2 ;;
    --task-definition) task_definition=${2:-}; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "rollback: unknown argument '$1' (--stack, --namespace, --deployment, --to-revision, --timeout, --context, --task-definition, --dry-run)" >&2; exit 2 ;;
  esac
done
if ! printf '%s' "$timeout" | grep -Eq '^[1-9][0-9]*$'; then
  echo "rollback: --timeout must be a whole number of seconds, got '$timeout'" >&2
  exit 2
fi
if [ -n "$revision" ] && ! printf '%s' "$revision" | grep -Eq '^[1-9][0-9]*$'; then
  echo "rollback: --to-revision must be a revision number (kubectl rollout history), got '$revision'" >&2
  exit 2
fi

# field (a JSON field from stdin) and change (a command, or printed with --dry-run)
# shellcheck source=tools/lib/delivery.sh
. "$(dirname "$0")/lib/delivery.sh"

target=kubernetes
if [ -n "$stack" ]; then
  if ! delivery=$(pulumi stack output delivery --json --stack "$stack") || [ -z "$delivery" ] || [ "$delivery" = "null" ]; then
    echo "rollback: stack $stack has no delivery output (deployed before it existed? pass --namespace and --deployment)" >&2
    exit 1
  fi
  target=$(printf '%s' "$delivery" | field target)
  if [ "$target" = "kubernetes" ]; then
    namespace=${namespace:-$(printf '%s' "$delivery" | field apiNamespace)}
    deployment=${deployment:-$(printf '%s' "$delivery" | field apiDeployment)}
  else
    cluster=$(printf '%s' "$delivery" | field ecsCluster)
    service=$(printf '%s' "$delivery" | field ecsService)
  fi
fi

if [ "$target" = "aws" ]; then
  if [ -z "$task_definition" ]; then
    echo "rollback: stack $stack is on AWS: ECS already rolled back a failed deployment by itself (circuit breaker, deployment alarms)."
    echo "rollback: to return to an older version, pass --task-definition <family:revision> (aws ecs list-task-definitions)."
    exit 0
  fi
  change aws ecs update-service --cluster "$cluster" --service "$service" --task-definition "$task_definition" >/dev/null
  change aws ecs wait services-stable --cluster "$cluster" --services "$service"
  echo "rollback: $cluster/$service runs $task_definition"
  exit 0
fi

if [ -z "$namespace" ] || [ -z "$deployment" ]; then
  echo "rollback: name the Deployment: --stack <stack>, or --namespace and --deployment" >&2
  exit 2
fi
kubectl=(kubectl)
[ -n "$context" ] && kubectl+=(--context "$context")

before=$("${kubectl[@]}" -n "$namespace" get "deployment/$deployment" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')
echo "rollback: $namespace/$deployment at revision $before; undoing to ${revision:-the previous one}"
change "${kubectl[@]}" -n "$namespace" rollout undo "deployment/$deployment" ${revision:+--to-revision="$revision"}
change "${kubectl[@]}" -n "$namespace" rollout status "deployment/$deployment" --timeout="${timeout}s"
if ! $dry_run; then
  image=$("${kubectl[@]}" -n "$namespace" get "deployment/$deployment" -o jsonpath='{.spec.template.spec.containers[0].image}')
  echo "rollback: $namespace/$deployment rolled out with $image"
fi
