#!/usr/bin/env bash
# The snapshot before a deploy (setting preDeploySnapshot: on in production). Run it before
# `pulumi up`, from a laptop or CI (examples/ci runs it in its deploy jobs):
#
#   tools/pre-deploy-snapshot.sh --stack production [--commit <sha>] [--force] [--dry-run]
#
# It reads the stack's `delivery` output (`pulumi stack output delivery --json`) and takes, named
# `<stack>-<commit>-<UTC timestamp>`:
#   AWS:        a manual RDS snapshot of the stack's instance (`aws rds create-db-snapshot`), tagged
#               ragstack:pre-deploy=true, ragstack:stack, ragstack:commit, and waits until it is
#               available (the deploy starts only with a finished snapshot);
#   Kubernetes: a CloudNativePG `Backup` of the stack's cluster (barman-cloud plugin, to the
#               backups store), labelled ragstack.io/pre-deploy=true and ragstack.io/stack, and waits
#               until it is completed.
# Retention (`preDeploySnapshotRetentionDays`, 14 days by default): manual RDS snapshots are kept
# until deleted, so after a successful snapshot the script deletes this stack's own pre-deploy
# snapshots (by their tags) older than that; never another snapshot. On Kubernetes it deletes the
# older `Backup` objects of this stack; their data in the object store follows the store's
# retention policy (`dbBackupRetentionDays`), as every base backup does.
#
# Skipped (exit 0, with a message): preDeploySnapshot false (unless --force), or a stack without a
# `delivery` output yet (the first deploy: there is no database to snapshot).
# --dry-run prints the commands that would change something instead of running them.
# Exit codes: 0 done or skipped, 1 a command failed, 2 bad arguments.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

stack=""
commit=""
force=false
dry_run=false
wait_timeout=${RAGSTACK_SNAPSHOT_TIMEOUT:-3600}
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=${2:-}; shift 2 ;;
    --commit) commit=${2:-}; shift 2 ;;
    --force) force=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "pre-deploy-snapshot: unknown argument '$1' (--stack, --commit, --force, --dry-run)" >&2; exit 2 ;;
  esac
done
if [ -z "$stack" ]; then
  echo "pre-deploy-snapshot: --stack <name> is required (the Pulumi stack to be deployed)" >&2
  exit 2
fi
if [ -z "$commit" ]; then
  commit=${GITHUB_SHA:-${CI_COMMIT_SHA:-$(git rev-parse HEAD 2>/dev/null || true)}}
fi
if ! printf '%s' "$commit" | grep -Eq '^[0-9a-fA-F]{7,40}$'; then
  echo "pre-deploy-snapshot: --commit must be a git commit id (7 to 40 hex digits), got '$commit'" >&2
  exit 2
fi
commit=$(printf '%s' "$commit" | tr '[:upper:]' '[:lower:]' | cut -c1-12)

# field (a JSON field from stdin) and change (a command, or printed with --dry-run)
# shellcheck source=tools/lib/delivery.sh
. "$(dirname "$0")/lib/delivery.sh"

if ! delivery=$(pulumi stack output delivery --json --stack "$stack" 2>/dev/null) || [ -z "$delivery" ] || [ "$delivery" = "null" ]; then
  echo "pre-deploy-snapshot: stack $stack has no delivery output yet (first deploy?): nothing to snapshot"
  exit 0
fi
target=$(printf '%s' "$delivery" | field target)
enabled=$(printf '%s' "$delivery" | field preDeploySnapshot)
retention=$(printf '%s' "$delivery" | field preDeploySnapshotRetentionDays)
if [ "$enabled" != "true" ] && ! $force; then
  echo "pre-deploy-snapshot: preDeploySnapshot is off for stack $stack: skipped (--force takes one anyway)"
  exit 0
fi

# The stack's last path segment (org/project/stack), lower case, as a name part.
stack_part=$(printf '%s' "${stack##*/}" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')
case "$stack_part" in [a-z]*) ;; *) stack_part="s-$stack_part" ;; esac
stamp=$(date -u +%Y%m%d%H%M%S)
name="$stack_part-$commit-$stamp"

# The UTC time `retention` days ago, ISO 8601 (GNU date, or BSD date on macOS).
cutoff=$(date -u -d "-$retention days" +%Y-%m-%dT%H:%M:%S 2>/dev/null || date -u -v-"$retention"d +%Y-%m-%dT%H:%M:%S)

case "$target" in
  aws)
    db=$(printf '%s' "$delivery" | field dbInstanceIdentifier)
    echo "pre-deploy-snapshot: RDS snapshot $name of $db (stack $stack, commit $commit)"
    change aws rds create-db-snapshot --db-instance-identifier "$db" --db-snapshot-identifier "$name" \
      --tags "Key=ragstack:pre-deploy,Value=true" "Key=ragstack:stack,Value=$stack_part" "Key=ragstack:commit,Value=$commit"
    change aws rds wait db-snapshot-available --db-instance-identifier "$db" --db-snapshot-identifier "$name"
    # This stack's pre-deploy snapshots (by tag) older than the retention, never the new one.
    aws rds describe-db-snapshots --db-instance-identifier "$db" --snapshot-type manual \
      --query "DBSnapshots[?TagList[?Key=='ragstack:pre-deploy' && Value=='true'] && TagList[?Key=='ragstack:stack' && Value=='$stack_part']].[DBSnapshotIdentifier,SnapshotCreateTime]" \
      --output text | while read -r id created; do
      if [ -z "$id" ] || [ "$id" = "None" ] || [ "$id" = "$name" ]; then continue; fi
      if [[ "${created:0:19}" < "$cutoff" ]]; then
        echo "pre-deploy-snapshot: deleting $id (taken $created, older than $retention days)"
        change aws rds delete-db-snapshot --db-snapshot-identifier "$id" --query DBSnapshot.DBSnapshotIdentifier --output text
      fi
    done
    ;;
  kubernetes)
    ns=$(printf '%s' "$delivery" | field cnpgNamespace)
    cluster=$(printf '%s' "$delivery" | field cnpgCluster)
    echo "pre-deploy-snapshot: CloudNativePG Backup $name of $ns/$cluster (stack $stack, commit $commit)"
    manifest="apiVersion: postgresql.cnpg.io/v1
kind: Backup
metadata:
  name: $name
  namespace: $ns
  labels:
    ragstack.io/pre-deploy: \"true\"
    ragstack.io/stack: $stack_part
  annotations:
    ragstack.io/commit: \"$commit\"
spec:
  cluster:
    name: $cluster
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io"
    if $dry_run; then
      printf 'dry-run: kubectl apply -f - <<EOF\n%s\nEOF\n' "$manifest"
    else
      printf '%s\n' "$manifest" | kubectl apply -f -
    fi
    change kubectl -n "$ns" wait "backup/$name" --for=jsonpath='{.status.phase}'=completed --timeout="${wait_timeout}s"
    kubectl -n "$ns" get backups.postgresql.cnpg.io -l "ragstack.io/pre-deploy=true,ragstack.io/stack=$stack_part" \
      -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.creationTimestamp}{"\n"}{end}' | while read -r id created; do
      if [ -z "$id" ] || [ "$id" = "$name" ]; then continue; fi
      if [[ "${created:0:19}" < "$cutoff" ]]; then
        echo "pre-deploy-snapshot: deleting Backup $id (taken $created, older than $retention days)"
        change kubectl -n "$ns" delete "backup.postgresql.cnpg.io/$id"
      fi
    done
    ;;
  *)
    echo "pre-deploy-snapshot: the delivery output of stack $stack names no target (got '$target')" >&2
    exit 1
    ;;
esac
echo "pre-deploy-snapshot: $name done"
