#!/usr/bin/env bash
# Bundle bpmn-js-differ (an ES module with two small dependencies, published without a browser
# build) into one script exposing window.BpmnJSDiffer.diff, for webui/static/js/diff.js. Run
# through `make vendor` (which runs `npm ci` here first); the bundle is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../../webui/static/vendor/bpmn-js-differ"
nm="$here/node_modules"

rm -rf "$out"
mkdir -p "$out"
"$nm/.bin/esbuild" "$here/entry.js" --bundle --format=iife --global-name=BpmnJSDiffer --minify \
  --target=es2019 --legal-comments=none --outfile="$out/bpmn-js-differ.min.js"
{
  for pkg in bpmn-js-differ diffpatch min-dash; do
    for f in "$nm/$pkg"/LICENSE* "$nm/$pkg"/license*; do
      [ -f "$f" ] || continue
      version="$(node -p "require('$nm/$pkg/package.json').version")"
      printf '==== %s@%s ====\n\n' "$pkg" "$version"
      cat "$f"
      printf '\n\n'
    done
  done
} > "$out/LICENSES"
node -p "'bpmn-js-differ ' + require('$nm/bpmn-js-differ/package.json').version" > "$out/VERSION"
echo "bundled into $out: $(cat "$out/VERSION")"
