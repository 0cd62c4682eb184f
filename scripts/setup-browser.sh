#!/usr/bin/env bash
# Installs what the browser test (Tests/interop/test_browser_*.py) needs: Debian's Chromium
# and its WebDriver, and selenium into .venv (pinned in Tests/interop/requirements-browser.txt).
# Idempotent: present packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PKGS="chromium chromium-driver"
missing=""
for p in $DEB_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup-browser: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import selenium" 2>/dev/null; then
  echo "setup-browser: installing selenium into .venv"
  .venv/bin/pip install -q -r Tests/interop/requirements-browser.txt
fi
/usr/bin/chromium --version 2>/dev/null
/usr/bin/chromedriver --version
