# shellcheck shell=bash
# Shared by tools/pre-deploy-snapshot.sh and tools/rollback.sh (sourced; reads $dry_run).

# A field of a JSON document on stdin (a dotted path); empty when absent.
field() {
  node -e '
    const d = JSON.parse(require("fs").readFileSync(0, "utf8") || "null");
    const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]), d);
    process.stdout.write(v == null ? "" : String(v));
  ' "$1"
}

# Run a command that changes something, or print it with --dry-run.
change() {
  if ${dry_run:?set by the sourcing script}; then
    printf 'dry-run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}
