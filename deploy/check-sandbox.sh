#!/bin/bash
# Runs the quick start (serve + simulate-call) with the file system read-only
# except one state directory, /tmp included, and no new privileges: what
# deploy/callscribe.service's ProtectSystem=strict, ReadWritePaths and
# NoNewPrivileges leave the binary. Needs root (a private mount namespace)
# and a built checkout (scripts/setup.sh). Exit 0 when the call became a lead.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/callscribe-sandbox.XXXXXX)
trap 'rm -rf "$state"' EXIT
[[ -f $repo/build/example-call.wav ]] || { echo "check-sandbox: run scripts/setup.sh first" >&2; exit 2; }
unshare -m bash -s "$repo" "$state" <<'INNER'
set -euo pipefail
repo=$1 state=$2
mount --make-rprivate /
mount --bind "$state" "$state"
for fs in / /tmp /work /home /opt /var; do
  mountpoint -q "$fs" 2>/dev/null || [[ $fs == / ]] || continue
  mount -o remount,bind,ro "$fs" 2>/dev/null || true
done
mount -o remount,bind,rw "$state"
if touch "$repo/.sandbox-write-test" 2>/dev/null; then
  rm -f "$repo/.sandbox-write-test"; echo "check-sandbox: the checkout is still writable" >&2; exit 2
fi
cd "$repo"
export TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000 TWILIO_AUTH_TOKEN=sandbox-check \
  CALLSCRIBE_TWILIO_API_BASE=http://127.0.0.1:18189 CALLSCRIBE_HTTP_PORT=18190 \
  CALLSCRIBE_HTTP_PUBLIC_URL=http://127.0.0.1:18190 CALLSCRIBE_TWILIO_RECONCILE_MINUTES=0 \
  CALLSCRIBE_DB_URL="sqlite:$state/callscribe.db" CALLSCRIBE_STORAGE_DATA_DIR="$state"
setpriv --no-new-privs build/callscribe serve > "$state/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q "Listening on" "$state/serve.log" && break; sleep 0.2; done
status=0
setpriv --no-new-privs build/callscribe simulate-call --audio build/example-call.wav \
  --from +16175554321 --to +16175550100 || status=$?
kill -TERM $server; wait $server || true
grep -E "❌" "$state/serve.log" || true
exit $status
INNER
