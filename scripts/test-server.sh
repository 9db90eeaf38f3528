#!/usr/bin/env bash
# Runs a command with MONGODB_URI pointing at a throwaway MongoDB-compatible server, so that the MongoDB store is
# tested against a real server:
#
#   scripts/test-server.sh npm test
#   scripts/test-server.sh npx jest test/contract/mongo-store.test.ts
#
# The server is FerretDB 1.x (Apache 2.0; speaks MongoDB's wire protocol; SQLite backend), since no MongoDB server
# and no Docker engine can run on the project's machines (see DESIGN.md, "Machines"). It is built from the Go module
# proxy the first time only, into the user's cache folder (never into the repository):
#   ${XDG_CACHE_HOME:-~/.cache}/ensemble/ferretdb-<version>/ferretdb
# Each run starts it on a free loopback port (127.0.0.1, port chosen by the system), with its data and state in a
# temporary folder, telemetry disabled and no other listener (its debug HTTP listener is off); it waits until the
# server accepts connections, runs the command with MONGODB_URI set, then stops the server and removes the folder.
# The script exits with the command's exit status.
#
# - MONGODB_URI already set: that server is used as it is; nothing is built or started.
# - No Go toolchain: the command runs without MONGODB_URI, and the MongoDB part of the tests is skipped (said so).
# - Go, but the build fails (no module proxy, say): the script fails rather than skip the MongoDB part silently.
#
# Environment: ENSEMBLE_FERRETDB_VERSION (default v1.24.2), FERRETDB_LOG_LEVEL (default info; the server's log is
# printed when it fails to start or stops during the run).
set -euo pipefail

say() { printf '[test-server] %s\n' "$*" >&2; }

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]   (e.g. $0 npm test)" >&2
  exit 2
fi

if [ -n "${MONGODB_URI:-}" ]; then
  say "MONGODB_URI is set: the tests use that server (nothing built or started)."
  exec "$@"
fi

if ! command -v go >/dev/null 2>&1; then
  say "No Go toolchain on this machine: FerretDB cannot be built, so the MongoDB part of the tests will be SKIPPED."
  say "(Install Go, or set MONGODB_URI to a MongoDB server, to run the MongoDB store contract suite.)"
  exec "$@"
fi

version="${ENSEMBLE_FERRETDB_VERSION:-v1.24.2}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ensemble/ferretdb-$version"
bin="$cache/ferretdb"

# Builds FerretDB from the Go module proxy. Not `go install …@version`: that build refuses to start
# ("Invalid build/version/version.txt file content"), because FerretDB's own build writes its version into
# build/version/version.txt first. So the module's source (from the module cache) is copied to a temporary folder,
# version.txt is written there, and the command is built from that copy. Default build tags: the SQLite backend is in.
build_ferretdb() {
  local started src dir
  started=$(date +%s)
  say "Building FerretDB $version (first run only; cached in $cache) ..."
  mkdir -p "$cache"
  local json
  if ! json=$(cd / && GOFLAGS= GOWORK=off go mod download -json "github.com/FerretDB/FerretDB@$version"); then
    say "could not download github.com/FerretDB/FerretDB@$version from the Go module proxy:"
    printf '%s\n' "$json" >&2
    return 1
  fi
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    say "the Go module cache has no folder for github.com/FerretDB/FerretDB@$version"
    return 1
  fi
  src=$(mktemp -d "${TMPDIR:-/tmp}/ensemble-ferretdb-src.XXXXXX")
  cp -R "$dir/." "$src/"
  chmod -R u+w "$src"
  echo "$version" >"$src/build/version/version.txt"
  if ! (cd "$src" && GOFLAGS= GOWORK=off go build -trimpath -buildvcs=false -o "$bin.partial.$$" ./cmd/ferretdb); then
    rm -rf "$src" "$bin.partial.$$"
    say "FerretDB build failed"
    return 1
  fi
  rm -rf "$src"
  mv -f "$bin.partial.$$" "$bin" # atomic: a concurrent run sees the old binary or the new one, never half of one
  say "Built FerretDB $version in $(($(date +%s) - started)) s: $bin"
}

if [ ! -x "$bin" ] || ! "$bin" --version >/dev/null 2>&1; then
  # Go is here, so the MongoDB suite is expected to run: a failed build fails the run rather than skip it.
  build_ferretdb || { say "FerretDB could not be built: stopping (set MONGODB_URI to use another server)."; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ensemble-ferretdb.XXXXXX")
mkdir -p "$tmp/data"
log="$tmp/ferretdb.log"
pid=""

stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
  rm -rf "$tmp"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --listen-addr port 0: the system picks a free port, which the server logs ("Listening on TCP 127.0.0.1:PORT").
# --debug-addr=-: no debug HTTP listener (metrics, pprof). --telemetry=disable and DO_NOT_TRACK=1: no reporting.
# --state-dir: its state.json goes to the temporary folder, not the working directory.
DO_NOT_TRACK=1 "$bin" \
  --handler=sqlite \
  --sqlite-url="file:$tmp/data/" \
  --state-dir="$tmp" \
  --listen-addr=127.0.0.1:0 \
  --debug-addr=- \
  --telemetry=disable \
  --log-level="${FERRETDB_LOG_LEVEL:-info}" \
  --log-format=text \
  >"$log" 2>&1 </dev/null &
pid=$!

port=""
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    say "FerretDB stopped before accepting connections; its log:"
    cat "$log" >&2
    exit 1
  fi
  port=$(sed -n 's/.*Listening on TCP 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
  # listening is logged just before accepting; a connection that opens proves it
  if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  port=""
  sleep 0.1
done
if [ -z "$port" ]; then
  say "FerretDB did not accept connections within 30 s; its log:"
  cat "$log" >&2
  exit 1
fi

export MONGODB_URI="mongodb://127.0.0.1:$port/"
say "FerretDB $version (SQLite backend, data in $tmp) accepts connections: MONGODB_URI=$MONGODB_URI"

status=0
"$@" || status=$?

if ! kill -0 "$pid" 2>/dev/null; then
  say "FerretDB stopped during the run; its log:"
  tail -n 100 "$log" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
