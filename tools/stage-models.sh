#!/usr/bin/env bash
# Stage Ollama models in the stack's models bucket, for GPU hosts without internet egress
# (awsInternetEgress false): pull them here (a machine that reaches the Ollama registry) into an
# empty OLLAMA_MODELS tree, then copy the tree to s3://<bucket>/ollama/models/.
#
#   bash tools/stage-models.sh <bucket> <model> [<model> ...]
#
# Needs ollama and the AWS CLI (credentials that may write the bucket: s3:PutObject and the data
# key through S3). The bucket is `Storage.modelsBucket`: named <name>-<environment>-models-….
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 <bucket> <model> [<model> ...]" >&2; exit 2; }
bucket=$1; shift
for tool in ollama aws; do command -v "$tool" >/dev/null || { echo "stage-models: $tool is not on PATH" >&2; exit 2; }; done
tree=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$tree"' EXIT
export OLLAMA_MODELS=$tree OLLAMA_HOST=127.0.0.1:11435
ollama serve >"$tree.log" 2>&1 & server=$!
for _ in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 1; done
for m in "$@"; do
  echo "stage-models: pulling $m"
  ollama pull "$m"
done
aws s3 sync "$tree/" "s3://$bucket/ollama/models/" --only-show-errors
echo "stage-models: $# model(s) in s3://$bucket/ollama/models/"
