#!/usr/bin/env bash
# Install the Debian packages the tests run for real, only when missing: Chromium and ChromeDriver
# (browser tests), nginx-light (tests/faults/test_nginx_front.py, the production front) and a C compiler
# (matching/_netsimplex.c, built by pip install -e .).
# Non-interactive and idempotent; no test tool ever downloads a browser of its own.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d-less containers would start the packaged nginx on :80; the tests start their own.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
fi
/usr/bin/chromium --version
/usr/sbin/nginx -v
