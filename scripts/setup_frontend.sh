#!/usr/bin/env bash
# Install Hamyar's front-end files from the npm registry (pinned in package.json / package-lock.json)
# and copy them into the git-ignored assets/vendor/, then compile the translation catalogues.
# Idempotent: safe to run again. Nothing is fetched at run time by the app.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

if [ ! -d node_modules/bootstrap ] || [ ! -d node_modules/axe-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

V=assets/vendor
rm -rf "$V.tmp"
mkdir -p "$V.tmp/bootstrap/css" "$V.tmp/bootstrap/js" "$V.tmp/bootstrap-icons/fonts" "$V.tmp/vazirmatn/fonts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
   node_modules/bootstrap/dist/css/bootstrap.rtl.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css.map \
   "$V.tmp/bootstrap/css/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
   "$V.tmp/bootstrap/js/"
cp node_modules/bootstrap/LICENSE "$V.tmp/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$V.tmp/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff \
   "$V.tmp/bootstrap-icons/fonts/"
cp node_modules/bootstrap-icons/LICENSE "$V.tmp/bootstrap-icons/"
cp node_modules/vazirmatn/Vazirmatn-Variable-font-face.css node_modules/vazirmatn/Vazirmatn-font-face.css \
   node_modules/vazirmatn/OFL.txt "$V.tmp/vazirmatn/"
cp -r node_modules/vazirmatn/fonts/webfonts "$V.tmp/vazirmatn/fonts/"
rm -rf "$V"
mv "$V.tmp" "$V"
# Only the icons the pages use (~130 of ~2,000): 134 KiB of icon font becomes ~12 KiB (issue 19).
"$PYTHON" scripts/subset_icons.py

# Translation catalogues (.po in git, one per area, merged into each language's messages.mo here).
rm -f dash_app/translations/*/LC_MESSAGES/messages.mo
"$PYTHON" -c "from dash_app.i18n import compile_catalogues; compile_catalogues('dash_app/translations')"
echo "front-end files installed in $V"
