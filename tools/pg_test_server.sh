#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL/PostGIS server on 127.0.0.1 for the tests.
#   eval "$(tools/pg_test_server.sh start)"   # prints the export line for the tests
#   tools/pg_test_server.sh stop DIR
# Installs Debian's postgresql and postgis when missing. Prints nothing to stdout but the
# export line, so that a failure leaves KARABAKH_MAP_TEST_DATABASE_URL unset and the
# PostGIS tests skip with a message that says so.
set -euo pipefail
PORT="${KARABAKH_MAP_TEST_PG_PORT:-55432}"
case "${1:-}" in
  start)
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      { apt-get update -qq && apt-get install -y -qq postgresql postgis; } >&2 || { echo "could not install postgresql/postgis" >&2; exit 0; }
    fi
    BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    DIR=$(mktemp -d /tmp/km-pg.XXXXXX)
    RUN=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; RUN=(runuser -u postgres --); fi
    "${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >&2
    "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=60" start >&2
    echo "export KARABAKH_MAP_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$PORT/postgres KARABAKH_MAP_TEST_PG_DIR=$DIR"
    ;;
  stop)
    DIR="${2:?stop needs the server folder}"
    BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
    RUN=()
    if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); fi
    "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
