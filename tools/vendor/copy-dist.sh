#!/usr/bin/env bash
# Copy the pinned front-end builds from node_modules into webui/static/vendor.
# Run through `make vendor` (which runs `npm ci` first); the copied files are committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../../webui/static/vendor"
nm="$here/node_modules"

rm -rf "$static/bpmn-js" "$static/axe-core" "$static/dmn-js"
mkdir -p "$static/bpmn-js" "$static/axe-core" "$static/dmn-js"

cp "$nm/bpmn-js/dist/bpmn-viewer.production.min.js" \
   "$nm/bpmn-js/dist/bpmn-modeler.production.min.js" "$static/bpmn-js/"
# assets/ keeps its layout: bpmn-font/css/*.css refers to ../font/*.
cp -R "$nm/bpmn-js/dist/assets" "$static/bpmn-js/assets"
cp "$nm/bpmn-js/LICENSE" "$static/bpmn-js/LICENSE"
# The dist bundles inline these packages; their licences travel with the bundle.
{
  for pkg in diagram-js diagram-js-direct-editing bpmn-moddle moddle moddle-xml saxen didi ids \
             min-dash min-dom tiny-svg object-refs path-intersection inherits-browser htm preact \
             clsx domify @bpmn-io/diagram-js-ui; do
    for f in "$nm/$pkg"/LICENSE* "$nm/$pkg"/license*; do
      [ -f "$f" ] || continue
      version="$(node -p "require('$nm/$pkg/package.json').version")"
      printf '==== %s@%s ====\n\n' "$pkg" "$version"
      cat "$f"
      printf '\n\n'
    done
  done
} > "$static/bpmn-js/THIRD_PARTY_LICENSES"

# dmn-js: the decision table editor of the analysts' workbench (the modeler bundle edits and
# views; assets/ keeps its layout: dmn-font/css/*.css refers to ../font/*).
cp "$nm/dmn-js/dist/dmn-modeler.production.min.js" "$static/dmn-js/"
cp -R "$nm/dmn-js/dist/assets" "$static/dmn-js/assets"
cp "$nm/dmn-js/LICENSE" "$static/dmn-js/LICENSE"
{
  for pkg in dmn-js-shared dmn-js-decision-table dmn-js-drd dmn-js-literal-expression dmn-js-boxed-expression \
             dmn-moddle table-js inferno inferno-shared inferno-vnode-flags diagram-js moddle moddle-xml saxen \
             didi ids min-dash min-dom tiny-svg selection-ranges escape-html; do
    for f in "$nm/$pkg"/LICENSE* "$nm/$pkg"/license*; do
      [ -f "$f" ] || continue
      version="$(node -p "require('$nm/$pkg/package.json').version")"
      printf '==== %s@%s ====\n\n' "$pkg" "$version"
      cat "$f"
      printf '\n\n'
    done
  done
} > "$static/dmn-js/THIRD_PARTY_LICENSES"

cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" "$nm/axe-core/LICENSE-3RD-PARTY.txt" "$static/axe-core/"

node -p "'bpmn-js ' + require('$nm/bpmn-js/package.json').version + '\ndmn-js ' + require('$nm/dmn-js/package.json').version + '\naxe-core ' + require('$nm/axe-core/package.json').version" \
  > "$static/VERSIONS"
echo "vendored into $static:"
cat "$static/VERSIONS"
