#!/usr/bin/env bash
# Installs everything the server needs on a fresh Debian machine (run as root, or with sudo available):
# Debian packages (espeak-ng for synthesis, ffmpeg/sox for audio conversion, graphviz for flow graphs)
# and this package with its Python dependencies (editable, so `callcenter` runs this checkout).
# Safe to run again. Env: EXTRA_APT_PKGS (more Debian packages), PIP_EXTRAS (e.g. "[test]"),
# PYTHON (interpreter, default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
PYTHON="${PYTHON:-python3}"
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
"$PYTHON" -m pip --version >/dev/null 2>&1 || APT_PKGS="$APT_PKGS python3-pip"

missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq $missing >/dev/null
fi

PIP_FLAGS="-q --disable-pip-version-check"
# Debian's own python3 refuses global pip installs (PEP 668) unless told; outside a virtualenv we
# install next to the system packages so that `callcenter` lands on the PATH (/usr/local/bin).
if [ -z "${VIRTUAL_ENV:-}" ] && "$PYTHON" -c 'import sys, sysconfig, os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
  PIP_FLAGS="$PIP_FLAGS --break-system-packages"
fi
"$PYTHON" -m pip install $PIP_FLAGS -e ".${PIP_EXTRAS:-}"

if command -v callcenter >/dev/null 2>&1; then
  echo "callcenter installed: $(command -v callcenter)"
else
  bin="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  user_bin="$("$PYTHON" -m site --user-base 2>/dev/null)/bin"
  for d in "$bin" "$user_bin"; do
    if [ -x "$d/callcenter" ]; then
      echo "callcenter installed in $d, which is not on your PATH: export PATH=\"$d:\$PATH\"" >&2
      exit 1
    fi
  done
  echo "install.sh: the callcenter command was not installed (see pip output above)" >&2
  exit 1
fi
