#!/usr/bin/env bash
# Rotate the credentials a stack generated: set rag-platform:secretsRotatedOn to today and run
# `pulumi up`. New values for every generated secret (AWS: the API's application secret and the
# Valkey AUTH token; Kubernetes: the database roles, Valkey and the in-cluster object store), the
# Kubernetes Secrets recreated, and the consumers rolled. The RDS master password is RDS's to
# rotate; an external store's (k8sSecrets external) is the store's.
#
#   bash tools/rotate-secrets.sh <stack> [--yes] [--date YYYY-MM-DD]
#
# Without --yes, `pulumi up` shows the preview and asks. Run it from the project folder.
set -euo pipefail

usage() { echo "usage: $0 <stack> [--yes] [--date YYYY-MM-DD]" >&2; exit 2; }
[ $# -ge 1 ] || usage
stack=$1; shift
yes=()
date=$(date -u +%F)
while [ $# -gt 0 ]; do
  case $1 in
    --yes) yes=(--yes); shift ;;
    --date) [ $# -ge 2 ] || usage; date=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "rotate-secrets: --date: got \"$date\"; allowed: YYYY-MM-DD" >&2; exit 2; }
command -v pulumi >/dev/null || { echo "rotate-secrets: the pulumi CLI is not on PATH" >&2; exit 2; }

previous=$(pulumi config get rag-platform:secretsRotatedOn --stack "$stack" 2>/dev/null || true)
if [ "$previous" = "$date" ]; then
  echo "rotate-secrets: $stack was already rotated on $date; pass --date to rotate again today" >&2
  exit 2
fi
echo "rotate-secrets: $stack: secretsRotatedOn ${previous:-(never)} -> $date"
pulumi config set rag-platform:secretsRotatedOn "$date" --stack "$stack"
if ! pulumi up --stack "$stack" "${yes[@]}"; then
  # Leave the config as it was so that the stack's config matches what is deployed.
  if [ -n "$previous" ]; then pulumi config set rag-platform:secretsRotatedOn "$previous" --stack "$stack"
  else pulumi config rm rag-platform:secretsRotatedOn --stack "$stack"; fi
  echo "rotate-secrets: pulumi up failed; secretsRotatedOn restored to ${previous:-(unset)}" >&2
  exit 1
fi
echo "rotate-secrets: $stack rotated on $date"
