#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine.
# Idempotent: packages already present are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PKGS="libsrtp2-dev libssl-dev libopus-dev libvpx-dev libavformat-dev libavcodec-dev \
libswscale-dev libswresample-dev libusrsctp-dev zlib1g-dev pkg-config ffmpeg redis-server openssl"

# Test-only peers: coturn (the TURN relay of the issue 12 tests).
if [ "${1:-}" = "--test" ]; then DEB_PKGS="$DEB_PKGS coturn"; fi

missing=""
for p in $DEB_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

if [ "${1:-}" = "--test" ]; then
  # Interop peers live in their own virtual environment, pinned in requirements.
  if [ ! -x .venv/bin/python ] || ! cmp -s Tests/interop/requirements.txt .venv/.requirements 2>/dev/null; then
    echo "setup: creating .venv for interop tests"
    python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r Tests/interop/requirements.txt
    cp Tests/interop/requirements.txt .venv/.requirements
  fi
  # livekit-agents pins an older livekit SDK: its own environment.
  bash scripts/setup-agents.sh
  # Chromium, chromedriver and selenium for the room page test.
  bash scripts/setup-browser.sh
fi
