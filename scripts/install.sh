#!/usr/bin/env bash
# Installs everything the server needs on a fresh Debian machine (run as root, or with sudo available):
# Debian packages (espeak-ng for synthesis, ffmpeg/sox for audio conversion, graphviz for flow graphs)
# and this package with its Python dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_PKGS="espeak-ng ffmpeg sox graphviz ${EXTRA_APT_PKGS:-}"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".${PIP_EXTRAS:-}"
echo "callcenter installed: $(command -v callcenter)"
