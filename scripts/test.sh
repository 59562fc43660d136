#!/usr/bin/env bash
# Installs the test needs (Debian postgresql + the package with its [test] extras), starts a private
# PostgreSQL on loopback for the storage tests, and runs the whole test suite.
# Exits non-zero when any test fails *or when no test ran* (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_APT_PKGS="postgresql" PIP_EXTRAS="[test]" bash scripts/install.sh

# --- a throw-away PostgreSQL cluster on 127.0.0.1:55432 (skipped if CALLCENTER_TEST_PG_URL is set) ---
if [ -z "${CALLCENTER_TEST_PG_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -n "$PGBIN" ]; then
    PGDATA=/tmp/callcenter-test-pg
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      rm -rf "$PGDATA"; mkdir -p "$PGDATA"
      chown -R postgres "$PGDATA" 2>/dev/null || true
      RUNAS=""; [ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
      $RUNAS "$PGBIN/initdb" -D "$PGDATA" -U callcenter --auth=trust >/dev/null
    fi
    RUNAS=""; [ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
    if ! $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
        -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    fi
    export CALLCENTER_TEST_PG_URL="postgresql+asyncpg://callcenter@127.0.0.1:55432/postgres"
    echo "PostgreSQL for tests: $CALLCENTER_TEST_PG_URL"
  elif [ -n "${CALLCENTER_TEST_NO_PG:-}" ]; then
    echo "WARNING: CALLCENTER_TEST_NO_PG set: PostgreSQL storage tests will be skipped"
  else
    echo "ERROR: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql);" \
         "set CALLCENTER_TEST_NO_PG=1 to run without the PostgreSQL storage tests" >&2
    exit 1
  fi
fi

set +e
"${PYTHON:-python3}" -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "ERROR: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
