#!/usr/bin/env bash
# Runs a command with Amazon DynamoDB Local (1.25.1) up on 127.0.0.1.
#
# Usage: run.sh -- CMD [ARGS...]
#   e.g. infra/dynamodb-local/run.sh -- go test ./...
#
# It runs install.sh, starts DynamoDB Local in memory (-inMemory
# -disableTelemetry) on a free TCP port on 127.0.0.1, waits until it answers
# a ListTables call, exports FIDELIO_DYNAMODB_ENDPOINT=http://127.0.0.1:PORT,
# runs CMD, always stops the server (EXIT trap, plus a parent-death signal
# should this script be killed outright), and exits with CMD's exit code.
# The server's output goes to a log file in a fresh temporary folder; its path
# is printed if the server fails to start or CMD fails (the folder is removed
# after a successful run unless FIDELIO_DYNAMODB_KEEP_LOG is set).
#
# For CMD it also sets, only when unset, dummy AWS credentials and a region
# (DynamoDB Local accepts any) and AWS_EC2_METADATA_DISABLED=true, so that an
# AWS SDK never goes looking for credentials on the instance-metadata address.
#
# Without -sharedDb, DynamoDB Local keeps a separate database for each access
# key and region, and each database serves one request at a time, under its
# own lock. A test that connects with an access key of its own therefore sees
# only its own tables, and runs beside the others instead of queueing behind
# their writes (with -sharedDb every credential shared one database, and
# parallel tests timed out waiting for its lock). Clients that must see the
# same tables (a table and its stream, a test and the function it starts) use
# the same access key and region.
#
# Environment:
#   FIDELIO_DYNAMODB_PORT           fixed port (default 0: the kernel picks a
#                                   free one, so there is no pick-then-bind race)
#   FIDELIO_DYNAMODB_START_TIMEOUT  seconds to wait for start-up (default 180: the JVM
#                                   took 50 s on a loaded 2-core machine)
#   FIDELIO_DYNAMODB_JAVA_OPTS      extra JVM options (split on spaces)
#   FIDELIO_DYNAMODB_KEEP_LOG       keep the log folder even on success
#   FIDELIO_CACHE, FIDELIO_DYNAMODB_LOCAL_DIR   see install.sh
#
# Loopback only — the approach and why:
#   DynamoDB Local has no host/bind option (`-help` for 1.25.1 lists only
#   -port, -inMemory, -dbPath, -sharedDb, -cors, -delayTransientStatuses,
#   -optimizeDbBeforeStartup, -disableTelemetry, -version), and none is read
#   from system properties: DynamoDBProxyServer does
#   `new org.eclipse.jetty.server.Server(port)`, whose connector has no host,
#   so `java -jar DynamoDBLocal.jar` listens on *:PORT (every interface).
#   Instead of `java -jar`, we start Jetty's own XmlConfiguration (jetty-xml is
#   in DynamoDBLocal_lib) on jetty-loopback.xml beside this script. It builds
#   the server with DynamoDB Local's own ServerRunner.createServerFromCommandLineArgs
#   (the same code path as its main()), sets host 127.0.0.1 (and the port) on
#   its connector by reflection before the socket is bound, starts it and
#   prints the port the kernel gave. -Djava.net.preferIPv4Stack=true makes the
#   socket a plain IPv4 one, so `ss -ltn` shows 127.0.0.1:PORT (without it,
#   [::ffff:127.0.0.1]:PORT, which is loopback too). Nothing needs compiling,
#   no extra package and no privilege. Before CMD runs, this script checks in
#   /proc/net/tcp{,6} that the only listening socket on PORT is 127.0.0.1 and
#   refuses to go on otherwise.
#   Rejected: running the server in a private network namespace (`unshare -n`)
#   would also isolate it, but CMD would have to run inside that namespace too
#   (losing the network go needs for modules) or go through a relay process.
set -euo pipefail

readonly JETTY_XML_JAR=DynamoDBLocal_lib/jetty-xml-9.4.53.v20231009.jar

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf 'dynamodb-local: %s\n' "$*" >&2; }
usage() {
  printf 'usage: %s -- CMD [ARGS...]\n' "$0" >&2
  exit 2
}

[[ ${1:-} == -- ]] && shift
(($# > 0)) || usage

port_req=${FIDELIO_DYNAMODB_PORT:-0}
start_timeout=${FIDELIO_DYNAMODB_START_TIMEOUT:-180}
if ! [[ $port_req =~ ^[0-9]{1,5}$ ]] || ((10#$port_req > 65535)); then
  log "ERROR: FIDELIO_DYNAMODB_PORT must be a port number, got '$port_req'"
  exit 2
fi
if ! [[ $start_timeout =~ ^[0-9]{1,6}$ ]]; then
  log "ERROR: FIDELIO_DYNAMODB_START_TIMEOUT must be whole seconds, got '$start_timeout'"
  exit 2
fi
port_req=$((10#$port_req))
start_timeout=$((10#$start_timeout))

emulator_dir=$(bash "$here/install.sh") || {
  log "ERROR: installing DynamoDB Local failed (see above)"
  exit 1
}

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/fidelio-dynamodb-local.XXXXXX")
server_log=$run_dir/dynamodb-local.log
server_pid=
log_reported=false

# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM HUP
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      log "server (pid $server_pid) ignored SIGTERM for 10s; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((rc == 0)) && [[ -z ${FIDELIO_DYNAMODB_KEEP_LOG:-} ]]; then
    rm -rf "$run_dir"
  elif [[ $log_reported == false ]]; then
    log "server log: $server_log"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail_start() {
  log_reported=true
  log "ERROR: DynamoDB Local did not start: $*"
  log "server log: $server_log (last lines below)"
  tail -n 40 "$server_log" >&2 || true
  exit 1
}

# probe PORT: true when DynamoDB answers a ListTables call with HTTP 200.
# Uses bash's /dev/tcp, so it needs no curl.
probe() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash.
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "POST / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: AWS4-HMAC-SHA256 Credential=fidelio/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}" "$1" >&3
    IFS= read -r status <&3 || exit 1
    [[ $status == "HTTP/1.1 200"* ]]
  ' probe "$1" 2>/dev/null
}

# listen_addrs PORT: the local addresses (hex, as in /proc/net/tcp*) of
# listening TCP sockets on PORT in this network namespace, one per line.
listen_addrs() {
  local hexport
  hexport=$(printf '%04X' "$1")
  awk -v p="$hexport" '$4 == "0A" { split($2, a, ":"); if (a[2] == p) print a[1] }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

java_opts=(
  -Djava.net.preferIPv4Stack=true
  "-Djava.library.path=$emulator_dir/DynamoDBLocal_lib"
  "-Dfidelio.dynamodb.port=$port_req"
  -XX:TieredStopAtLevel=1
  -XX:+UseSerialGC
)
if [[ -n ${FIDELIO_DYNAMODB_JAVA_OPTS:-} ]]; then
  read -r -a extra_opts <<<"$FIDELIO_DYNAMODB_JAVA_OPTS"
  java_opts+=("${extra_opts[@]}")
fi

# If this script dies without running its trap (SIGKILL), the kernel sends
# the server SIGTERM: setpriv sets the parent-death signal, then execs java,
# whose parent is this shell.
launcher=()
if command -v setpriv >/dev/null 2>&1 && setpriv --help 2>&1 | grep -q -- --pdeathsig; then
  launcher=(setpriv --pdeathsig TERM --)
fi

start=$SECONDS
start_ns=$(date +%s%N)
(
  cd "$run_dir"
  exec "${launcher[@]}" java "${java_opts[@]}" \
    -cp "$emulator_dir/DynamoDBLocal.jar:$emulator_dir/$JETTY_XML_JAR" \
    org.eclipse.jetty.xml.XmlConfiguration "$here/jetty-loopback.xml"
) </dev/null >"$server_log" 2>&1 &
server_pid=$!

port=
while :; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    rc=0
    wait "$server_pid" 2>/dev/null || rc=$?
    server_pid=
    fail_start "the java process exited with status $rc"
  fi
  # A failed start (e.g. port in use) leaves the JVM running, so read the log.
  if grep -q -e 'Exception in thread "main"' -e 'Config error at' "$server_log"; then
    fail_start "it reported an error"
  fi
  if [[ -z $port ]]; then
    port=$(sed -n 's/^FIDELIO_DYNAMODB_LISTENING \([0-9][0-9]*\)$/\1/p' "$server_log")
    if [[ -n $port ]] && ! ((port > 0)); then
      fail_start "it reported port '$port'"
    fi
  fi
  if [[ -n $port ]] && probe "$port"; then
    break
  fi
  if ((SECONDS - start >= start_timeout)); then
    fail_start "no answer to ListTables within ${start_timeout}s"
  fi
  sleep 0.1
done
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))

addrs=$(listen_addrs "$port" | sort -u | tr '\n' ' ')
if [[ $addrs != "0100007F " ]]; then
  fail_start "port $port is not bound to 127.0.0.1 only (listening addresses, hex: ${addrs:-none}); refusing to run"
fi

export FIDELIO_DYNAMODB_ENDPOINT=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-fidelio-local}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-fidelio-local}
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_EC2_METADATA_DISABLED=${AWS_EC2_METADATA_DISABLED:-true}
log "DynamoDB Local up at $FIDELIO_DYNAMODB_ENDPOINT (pid $server_pid, ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))s)"

rc=0
"$@" || rc=$?
exit "$rc"
