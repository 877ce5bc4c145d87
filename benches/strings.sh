#!/usr/bin/env bash
# Throughput of the string, bitmap and HyperLogLog commands: valkey-rs
# against a peer server (redis-server by default), side by side.
#
# Runs alternate ours/peer/ours/peer... for every test and prints the
# median requests per second of each and the ratio ours/peer.
#
# Usage: benches/strings.sh            (defaults below)
#   BIN=path/to/valkey-server   our binary (default target/release/valkey-server;
#                               build it with `cargo build --release`)
#   PEER=redis-server           peer server binary (valkey-server works too)
#   N=200000 C=50 PIPE=1 RUNS=3 requests, clients, pipeline depth, runs per side
#   KEYSPACE=100000             -r for __rand_int__
#   PIN=1                       servers on CPU 0, redis-benchmark on CPU 1 (default when
#                               there are 2+ CPUs and taskset exists)
#
# Standalone on purpose: it only needs bash, redis-benchmark and redis-cli.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/target/release/valkey-server}
PEER=${PEER:-redis-server}
N=${N:-200000}
C=${C:-50}
PIPE=${PIPE:-1}
RUNS=${RUNS:-3}
KEYSPACE=${KEYSPACE:-100000}
if [ -z "${PIN:-}" ]; then
    if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] && command -v taskset >/dev/null; then PIN=1; else PIN=0; fi
fi
SRV_PIN=()
CLI_PIN=()
if [ "$PIN" = 1 ]; then
    SRV_PIN=(taskset -c 0)
    CLI_PIN=(taskset -c 1)
fi

for tool in redis-benchmark redis-cli "$PEER"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
if [[ ! -x "$BIN" ]]; then
    echo "no server binary at $BIN (run: cargo build --release, or set BIN=...)" >&2
    exit 1
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# A TCP port nobody listens on.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

start() { # name binary port
    local dir="$WORK/$1"
    mkdir -p "$dir"
    (cd "$dir" && exec "${SRV_PIN[@]}" "$2" --port "$3" --bind 127.0.0.1 --save "" --appendonly no \
        >"$dir/log" 2>&1) &
    PIDS+=($!)
    eval "PID_$1=$!"
    for _ in $(seq 1 200); do
        redis-cli -p "$3" ping >/dev/null 2>&1 && return
        sleep 0.05
    done
    echo "$1 did not start on port $3 (log: $dir/log)" >&2
    exit 1
}

OURS_PORT=$(free_port)
start ours "$BIN" "$OURS_PORT"
PEER_PORT=$(free_port)
start peer "$PEER" "$PEER_PORT"

# Requests per second of one redis-benchmark run (last CSV line, 2nd field).
rps() { # port args...
    local port=$1
    shift
    { "${CLI_PIN[@]}" redis-benchmark -p "$port" -n "$N" -c "$C" -P "$PIPE" -r "$KEYSPACE" --csv -q "$@" 2>/dev/null || true; } |
        tail -n 1 | awk -F'","' '{ gsub(/"/, "", $2); if ($2 ~ /^[0-9.]+$/) print $2; else print 0 }'
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

prepare() { # port
    redis-cli -p "$1" set key foobar >/dev/null
    redis-cli -p "$1" pfadd hll a b c >/dev/null
}

prepare "$OURS_PORT"
prepare "$PEER_PORT"

# redis-benchmark zero-pads __rand_int__ to 12 digits, which both servers
# reject as a bit offset ("000000012345" is not a canonical integer, and
# any 12-digit offset is past 512 MB), so SETBIT takes the randomness in
# the key: one byte-sized bitmap per random key.
TESTS=(
    "-t set"
    "-t get"
    "-t incr"
    "-t mset"
    "SETBIT bits:__rand_int__ 7 1"
    "BITCOUNT key"
    "PFADD hll __rand_int__"
    "PFCOUNT hll"
)

# Server CPU time (utime+stime, clock ticks) of a process so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# One measured run: "rps cpu_us_per_request".
measure() { # port pid args...
    local port=$1 pid=$2 t0 t1 r
    shift 2
    t0=$(ticks "$pid")
    r=$(rps "$port" "$@")
    t1=$(ticks "$pid")
    awk -v r="$r" -v d="$((t1 - t0))" -v hz="$HZ" -v n="$N" \
        'BEGIN { printf "%s %.3f\n", r, d * 1e6 / hz / n }'
}

printf '%-28s %12s %12s %6s %9s %9s %6s\n' "test" "ours rps" "peer rps" "ratio" \
    "ours µs" "peer µs" "ratio"
printf '%-28s %12s %12s %6s %9s %9s %6s\n' "----" "--------" "--------" "-----" \
    "(cpu/req)" "(cpu/req)" "-----"
for t in "${TESTS[@]}"; do
    # shellcheck disable=SC2086 # word splitting of the test is intended
    read -r -a args <<<"$t"
    ours=()
    peer=()
    ours_cpu=()
    peer_cpu=()
    for _ in $(seq 1 "$RUNS"); do
        read -r r c <<<"$(measure "$OURS_PORT" "$PID_ours" "${args[@]}")"
        ours+=("$r")
        ours_cpu+=("$c")
        read -r r c <<<"$(measure "$PEER_PORT" "$PID_peer" "${args[@]}")"
        peer+=("$r")
        peer_cpu+=("$c")
    done
    o=$(printf '%s\n' "${ours[@]}" | median)
    p=$(printf '%s\n' "${peer[@]}" | median)
    oc=$(printf '%s\n' "${ours_cpu[@]}" | median)
    pc=$(printf '%s\n' "${peer_cpu[@]}" | median)
    ratio=$(awk -v o="$o" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", o / p; else print "n/a" }')
    cratio=$(awk -v o="$oc" -v p="$pc" 'BEGIN { if (p > 0) printf "%.2f", o / p; else print "n/a" }')
    printf '%-28s %12s %12s %6s %9s %9s %6s\n' "${t#-t }" "$o" "$p" "$ratio" "$oc" "$pc" "$cratio"
done
echo "(cpu/req: server CPU time per request, µs; ratio < 1 = ours cheaper)"
echo "(N=$N C=$C pipeline=$PIPE runs=$RUNS; ours=$BIN peer=$PEER)"
