#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's `postgresql`
# package: `start STATE_DIR` makes a cluster in a fresh /tmp folder, listening
# only on a unix socket there (no TCP port to collide on), as a non-root user
# (postgres, or nobody without it) when run as root, and writes
# STATE_DIR/url, a db.url for it (database and user `callscribe`, no
# password: trust over the socket). `stop STATE_DIR` stops it and removes it.
set -euo pipefail
command=${1:-} state=${2:-}
if [[ -z $command || -z $state ]]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z $bin ]]; then
  echo "pg_server: no PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup.sh installs postgresql)" >&2
  exit 1
fi
as_owner=()
owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  id -u postgres >/dev/null 2>&1 || owner=nobody
  as_owner=(setpriv --reuid="$owner" --regid="$(id -g "$owner")" --clear-groups --)
fi

stop() {
  [[ -f $state/dir ]] || return 0
  local dir
  dir=$(cat "$state/dir")
  if [[ -d $dir/data ]]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$state"
}

case $command in
start)
  stop
  mkdir -p "$state"
  # Short: a unix socket path must stay under 108 bytes.
  dir=$(mktemp -d /tmp/callscribe-pg.XXXXXX)
  echo "$dir" > "$state/dir"
  mkdir -p "$dir/data" "$dir/socket"
  [[ $owner == $(id -un) ]] || chown -R "$owner" "$dir"
  chmod 700 "$dir/data"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U callscribe --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # fsync off: the tests kill callscribe nodes, never this server.
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir/socket -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  "${as_owner[@]}" "$bin/createdb" -h "$dir/socket" -U callscribe callscribe
  echo "postgresql://callscribe@/callscribe?host=$dir/socket" > "$state/url"
  echo "pg_server: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $dir/socket"
  ;;
stop)
  stop
  ;;
*)
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
  ;;
esac
