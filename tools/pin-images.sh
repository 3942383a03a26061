#!/usr/bin/env bash
# Pins the default third-party images by digest: resolves each image of images.lock.json whose
# digest is null (with --update, every image) to the digest of its tag's manifest — the index of a
# multi-platform image — and writes it into the lock, with when and with what it was resolved.
# The components then use repository:tag@digest (components/core/images.ts).
#
#   bash tools/pin-images.sh            resolve the null digests (needs a registry within reach)
#   bash tools/pin-images.sh --update   resolve every digest again (a deliberate move of the pins)
#   bash tools/pin-images.sh --check    no network: exit 1 listing the defaults without a digest
#   --lock FILE                         another lock file (default: images.lock.json at the root)
#
# Resolves with crane (github.com/google/go-containerregistry, `crane digest`), or with skopeo
# (`skopeo inspect --raw`, the digest being the SHA-256 of the manifest's bytes) when crane is not
# on PATH. An image that cannot be resolved is named with its registry and the tool's error; the
# images that were resolved are written, and the script exits 1. A resolved value that is not
# sha256:<64 hex> is refused, and the lock keeps what it had for that image. The release workflow
# runs the script and then --check before publishing (docs/releases.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/images.lock.json"
mode=fill
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --update) mode=update ;;
    --lock)
      [ $# -ge 2 ] || { echo "pin-images: --lock needs a file" >&2; exit 2; }
      lock=$2
      shift
      ;;
    -h | --help)
      sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "pin-images: unknown argument \"$1\" (usage: tools/pin-images.sh [--check | --update] [--lock FILE])" >&2
      exit 2
      ;;
  esac
  shift
done
[ -f "$lock" ] || { echo "pin-images: $lock does not exist" >&2; exit 2; }
command -v node >/dev/null || { echo "pin-images: node is needed to read and write $lock" >&2; exit 2; }

# name <TAB> repository <TAB> tag <TAB> digest (or "null"), one image a line; the lock's form checked first
entries=$(node -e '
  const fs = require("fs");
  const lock = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const images = lock && lock.images;
  if (!images || typeof images !== "object" || Object.keys(images).length === 0) { console.error("pin-images: " + process.argv[1] + " has no images"); process.exit(2); }
  for (const [n, e] of Object.entries(images)) {
    if (typeof e.repository !== "string" || typeof e.tag !== "string" || !e.repository || !e.tag) { console.error("pin-images: images." + n + " has no repository or tag"); process.exit(2); }
    if (e.digest !== null && !/^sha256:[a-f0-9]{64}$/.test(String(e.digest))) { console.error("pin-images: images." + n + ".digest " + JSON.stringify(e.digest) + " is not null or sha256:<64 hex>"); process.exit(2); }
    console.log([n, e.repository, e.tag, e.digest === null ? "null" : e.digest].join("\t"));
  }' "$lock")

if [ "$mode" = check ]; then
  missing=0
  total=0
  while IFS=$'\t' read -r name repo tag digest; do
    total=$((total + 1))
    if [ "$digest" = null ]; then
      echo "pin-images: unpinned: $name ($repo:$tag) has no digest in $lock" >&2
      missing=$((missing + 1))
    fi
  done <<<"$entries"
  if [ "$missing" -gt 0 ]; then
    echo "pin-images: $missing of $total default images are not pinned by digest: run tools/pin-images.sh where their registries are reachable" >&2
    exit 1
  fi
  echo "pin-images: all $total default images are pinned by digest ($lock)"
  exit 0
fi

# The registry an image is pulled from: its first path component when it names a host, Docker Hub otherwise.
registry_of() {
  local first=${1%%/*}
  if [[ "$1" == */* && ( "$first" == *.* || "$first" == *:* || "$first" == localhost ) ]]; then echo "$first"; else echo "docker.io"; fi
}

if command -v crane >/dev/null; then
  tool="crane $(crane version 2>/dev/null | head -1)"
  resolve() { crane digest "$1"; }
elif command -v skopeo >/dev/null; then
  tool="skopeo $(skopeo --version 2>/dev/null | awk '{print $NF}')"
  resolve() {
    local raw
    raw=$(mktemp)
    skopeo inspect --raw "docker://$1" >"$raw" || { rm -f "$raw"; return 1; }
    echo "sha256:$(sha256sum "$raw" | cut -d' ' -f1)"
    rm -f "$raw"
  }
else
  echo "pin-images: neither crane nor skopeo is on PATH (go install github.com/google/go-containerregistry/cmd/crane@v0.22.1)" >&2
  exit 2
fi

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
results=$(mktemp)
errors=$(mktemp)
trap 'rm -f "$results" "$errors"' EXIT
failed=0
while IFS=$'\t' read -r name repo tag digest; do
  if [ "$digest" != null ] && [ "$mode" != update ]; then
    echo "pin-images: $name: kept $repo:$tag@$digest"
    continue
  fi
  ref="$repo:$tag"
  if ! out=$(resolve "$ref" 2>"$errors"); then
    echo "pin-images: cannot resolve $ref from $(registry_of "$repo") with $tool: $(grep -v '^[[:space:]]*$' "$errors" | tail -1)" >&2
    failed=$((failed + 1))
    continue
  fi
  out=$(printf '%s' "$out" | tr -d '[:space:]')
  if ! [[ "$out" =~ ^sha256:[a-f0-9]{64}$ ]]; then
    echo "pin-images: refused: $tool returned \"$out\" for $ref, not a sha256:<64 hex> digest ($name left as it was)" >&2
    failed=$((failed + 1))
    continue
  fi
  if [ "$digest" != null ] && [ "$digest" != "$out" ]; then
    echo "pin-images: $name: $ref moved from $digest to $out"
  fi
  echo "pin-images: $name: $ref@$out"
  printf '%s\t%s\n' "$name" "$out" >>"$results"
done <<<"$entries"

if [ -s "$results" ]; then
  node -e '
    const fs = require("fs");
    const [file, results, at, tool] = process.argv.slice(1);
    const lock = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const line of fs.readFileSync(results, "utf8").split("\n").filter(Boolean)) {
      const [name, digest] = line.split("\t");
      lock.images[name].digest = digest;
      lock.images[name].resolved = { at, with: tool };
    }
    fs.writeFileSync(file + ".tmp", JSON.stringify(lock, null, 2) + "\n");
    fs.renameSync(file + ".tmp", file);
  ' "$lock" "$results" "$now" "$tool"
  echo "pin-images: wrote $(wc -l <"$results") digest(s) into $lock"
fi
if [ "$failed" -gt 0 ]; then
  echo "pin-images: $failed image(s) not resolved; their digests stay as they were in $lock" >&2
  exit 1
fi
