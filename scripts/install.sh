#!/usr/bin/env bash
# Installs everything the server needs on a fresh Debian machine (run as root, or with sudo available):
# Debian packages (espeak-ng for synthesis, ffmpeg/sox for audio conversion, graphviz for flow graphs)
# and this package with its Python dependencies in a virtual environment of its own, ./.venv (editable,
# so `.venv/bin/callcenter` runs this checkout). Nothing is installed into the system's Python.
# Safe to run again. Env: EXTRA_APT_PKGS (more Debian packages), PIP_EXTRAS (e.g. "[bench]"),
# PYTHON (the interpreter the environment is made from, default python3), CALLCENTER_VENV (its folder,
# default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
PYTHON="${PYTHON:-python3}"
VENV="${CALLCENTER_VENV:-.venv}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_PKGS="espeak-ng ffmpeg sox graphviz fonts-wqy-microhei ${EXTRA_APT_PKGS:-}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "install.sh: $PYTHON not found: install Python 3.11 or newer (Debian: apt-get install python3)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "install.sh: Python 3.11 or newer is needed, $PYTHON is $("$PYTHON" -V 2>&1)" >&2
  exit 1
fi
# Debian splits venv/ensurepip out of python3 (package python3-venv)
if [ ! -x "$VENV/bin/python" ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  APT_PKGS="$APT_PKGS python3-venv"
fi

missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating the virtual environment $VENV ($("$PYTHON" -V 2>&1))"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".${PIP_EXTRAS:-}"

if [ -x "$VENV/bin/callcenter" ]; then
  echo "callcenter installed: $VENV/bin/callcenter (run \`source $VENV/bin/activate\` to have \`callcenter\` on your PATH)"
else
  echo "install.sh: the callcenter command was not installed in $VENV (see pip output above)" >&2
  exit 1
fi
