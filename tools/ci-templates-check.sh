#!/usr/bin/env bash
# actionlint (github.com/rhysd/actionlint, pinned, installed with `go install`) on the GitHub
# Actions template and on the repository's own release workflow; the GitLab template is checked by
# test/ci-templates.test.ts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ACTIONLINT_VERSION=1.7.12
bin="$(go env GOPATH)/bin"
if ! "$bin/actionlint" -version 2>/dev/null | head -1 | grep -qx "v$ACTIONLINT_VERSION"; then
  GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
fi
"$bin/actionlint" -version | head -1
"$bin/actionlint" "$root/examples/ci/github-actions.yml" "$root/.github/workflows/release.yml"
echo "actionlint: examples/ci/github-actions.yml and .github/workflows/release.yml are valid"
