#!/usr/bin/env bash
# compare.sh — benchmark our server against redis-server (and valkey-server if installed).
#
# Why: GUIDE.md §5. On a small machine the benchmark client competes with the server for the
# cores, so absolute numbers lie; what we trust is the *ratio* ours/peer measured under identical
# settings, alternating runs (ours, peer, ours, peer, …) and taking the median, plus figures that
# do not depend on the client: server CPU time per request (utime+stime from /proc/PID/stat),
# memory per key (DEBUG POPULATE + INFO memory), idle RSS, SAVE / DEBUG RELOAD time.
# `make bench` runs this. Anything a server does not support yet is reported as "n/a".
# Output: a table on stdout and in target/bench/latest.txt; raw samples in target/bench/raw.tsv.
#
# Env (defaults in brackets):
#   OURS_BIN     our server [target/release/valkey-server]   (SERVER_BIN is accepted as an alias)
#   PEER_BIN     peer server [redis-server]
#   VALKEY_BIN   real valkey-server [first `valkey-server` on PATH that is not ours; "none" = skip]
#   ROUNDS       alternating rounds per measurement [3]
#   N            requests per run for both modes (overrides N_PIPE and N_PLAIN)
#   N_PIPE       requests per pipelined run [1000000]      N_PLAIN  unpipelined runs [200000]
#   CLIENTS      redis-benchmark -c [50]                   PIPELINE -P for the pipelined mode [16]
#   IO_THREADS   --io-threads for every server [1]
#   TESTS        extra redis-benchmark -t tests appended to "set,get", e.g. "incr,lpush,mset"
#   IO_COMPARE   1 = also run ours with --io-threads 2 (and, forced, io-threads-always-active)
#                and compare with an unpinned --io-threads 1 [1]
#   MEM_KEYS     keys for DEBUG POPULATE [1000000]; 0 = skip memory/persistence figures
#   RUN_TIMEOUT  seconds before a single redis-benchmark run is abandoned [300]
#   PIN          1 = pin each single-threaded server to CPU 0 and redis-benchmark to CPU 1, so
#                the client never steals the server's core (io-threads variants stay unpinned:
#                they need both) [1 when there are 2+ CPUs and taskset exists, else 0]
#   OUT_DIR      [target/bench]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OURS_BIN="${OURS_BIN:-${SERVER_BIN:-$ROOT/target/release/valkey-server}}"
PEER_BIN="${PEER_BIN:-redis-server}"
ROUNDS="${ROUNDS:-3}"
N_PIPE="${N:-${N_PIPE:-1000000}}"
N_PLAIN="${N:-${N_PLAIN:-200000}}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-16}"
IO_THREADS="${IO_THREADS:-1}"
IO_COMPARE="${IO_COMPARE:-1}"
MEM_KEYS="${MEM_KEYS:-1000000}"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"
OUT_DIR="${OUT_DIR:-$ROOT/target/bench}"
if [ -z "${PIN:-}" ]; then
    if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] && command -v taskset >/dev/null; then PIN=1; else PIN=0; fi
fi
CLIENT_PIN=()
if [ "$PIN" = 1 ]; then CLIENT_PIN=(taskset -c 1); fi
TEST_LIST="set,get${TESTS:+,$TESTS}"

die() { echo "compare.sh: error: $*" >&2; exit 2; }
for tool in redis-benchmark redis-cli python3 timeout getconf; do
    command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install redis-tools python3 coreutils)"
done
resolve() { # absolute path of an executable, or empty. Symlinks are kept: servers dispatch on
             # argv[0] (redis-server -> redis-check-rdb, valkey-server -> valkey-check-rdb).
    local p="$1"
    case "$p" in */*) ;; *) p="$(command -v "$p" 2>/dev/null || true)";; esac
    if [ -n "$p" ] && [ -x "$p" ] && [ -f "$p" ]; then echo "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"; fi
}
OURS_PATH="$(resolve "$OURS_BIN")"
PEER_PATH="$(resolve "$PEER_BIN")"
if [ "${VALKEY_BIN:-}" = none ]; then VALKEY_PATH=""
elif [ -n "${VALKEY_BIN:-}" ]; then VALKEY_PATH="$(resolve "$VALKEY_BIN")"
else
    VALKEY_PATH="$(resolve valkey-server)"
    if [ -n "$VALKEY_PATH" ] && [ "$(readlink -f "$VALKEY_PATH")" = "$(readlink -f "${OURS_PATH:-/nonexistent}")" ]; then
        VALKEY_PATH=""
    fi
fi
[ -n "$PEER_PATH" ] || [ -n "$VALKEY_PATH" ] || die "no peer server found (install redis-server or set PEER_BIN)"

CLK_TCK="$(getconf CLK_TCK)"
mkdir -p "$OUT_DIR"
RAW="$OUT_DIR/raw.tsv"        # round server mode test rps p50 p99 cpu_us rows
EXTRA="$OUT_DIR/extra.tsv"    # server metric value
META="$OUT_DIR/meta.tsv"      # key value
: >"$RAW"; : >"$EXTRA"; : >"$META"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/valkey-bench.XXXXXX")"

# --- servers ----------------------------------------------------------------------------------
declare -A BIN PID PORT ARGS_EXTRA
SERVERS=()       # labels, in rotation order; the first is ours
add_server() { SERVERS+=("$1"); BIN[$1]="$2"; ARGS_EXTRA[$1]="${3:-}"; }
add_server ours "$OURS_PATH" "--io-threads $IO_THREADS"
[ -n "$PEER_PATH" ] && add_server redis "$PEER_PATH" "--io-threads $IO_THREADS"
[ -n "$VALKEY_PATH" ] && add_server valkey "$VALKEY_PATH" "--io-threads $IO_THREADS"
if [ "$IO_COMPARE" = 1 ]; then
    if [ "$IO_THREADS" = 2 ]; then add_server ours-io1 "$OURS_PATH" "--io-threads 1"
    else
        add_server ours-io2 "$OURS_PATH" "--io-threads 2"
        # io-threads 2 needs both cores, so it runs unpinned; compare it with an unpinned
        # io-threads 1 (placement alone moves results by ±10% here), and show what the
        # hand-off costs when forced on (io-threads-always-active).
        if [ "$PIN" = 1 ]; then add_server ours-io1u "$OURS_PATH" "--io-threads 1"; fi
        add_server ours-io2f "$OURS_PATH" "--io-threads 2 --io-threads-always-active yes"
    fi
fi
PEERS=()
for s in "${SERVERS[@]}"; do case "$s" in redis|valkey) PEERS+=("$s");; esac; done

cleanup() {
    for s in "${SERVERS[@]}"; do
        local p="${PID[$s]:-}"
        [ -n "$p" ] || continue
        kill "$p" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { timeout 120 redis-cli -p "${PORT[$1]}" "${@:2}" 2>/dev/null | tr -d '\r'; }
alive() { [ -n "${PID[$1]:-}" ] && kill -0 "${PID[$1]}" 2>/dev/null; }
info_field() { cli "$1" INFO "$2" | awk -F: -v k="$3" '$1==k {print $2; exit}'; }
cpu_ticks() { # utime+stime of the whole process (all threads); fields 14, 15 of /proc/PID/stat
    local s; s="$(cat "/proc/${PID[$1]}/stat" 2>/dev/null)" || return 1
    s="${s##*) }"                       # drop "pid (comm) " (comm may contain spaces)
    awk '{print $12 + $13}' <<<"$s"     # field 3 is now $1, so 14/15 are $12/$13
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# One set of free ports, reserved together so they are distinct.
read -r -a FREE_PORTS < <(python3 - "${#SERVERS[@]}" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

launch() { # server args... : start in its own dir, wait for PONG; 0 if up
    local s="$1" dir="$WORK/$1"; shift
    local pin=()
    if [ "$PIN" = 1 ]; then case "$s" in ours-io*) ;; *) pin=(taskset -c 0);; esac; fi
    (cd "$dir" && exec "${pin[@]}" "${BIN[$s]}" "$@") </dev/null >"$dir/server.log" 2>&1 &
    PID[$s]=$!
    for _ in $(seq 100); do
        if [ "$(timeout 2 redis-cli -p "${PORT[$s]}" PING 2>/dev/null | tr -d '\r')" = PONG ]; then
            sleep 0.5   # let it settle before reading the idle RSS
            return 0
        fi
        alive "$s" || break
        sleep 0.1
    done
    echo "  $s: did not start with: $*; last lines of its log:" >&2
    tail -n 5 "$dir/server.log" | sed 's/^/    /' >&2
    kill "${PID[$s]}" 2>/dev/null || true
    for _ in $(seq 30); do alive "$s" || break; sleep 0.1; done
    kill -9 "${PID[$s]}" 2>/dev/null || true
    PID[$s]=""
    return 1
}
start_server() {
    local s="$1" i="$2"
    mkdir -p "$WORK/$s"
    PORT[$s]="${FREE_PORTS[$i]}"
    if [ -z "${BIN[$s]}" ]; then echo "  $s: binary not found" >&2; return 1; fi
    # shellcheck disable=SC2086  # ARGS_EXTRA is intentionally word-split
    launch "$s" --port "${PORT[$s]}" --save '' --appendonly no --enable-debug-command yes ${ARGS_EXTRA[$s]} && return 0
    # A young server may reject some of these options: fall back to the bare minimum (noted in
    # the report) rather than measuring nothing. io-threads variants make no sense without it.
    case "$s" in ours-io*) return 1;; esac
    launch "$s" --port "${PORT[$s]}" || return 1
    echo "  $s: WARNING: running with only --port (settings differ from the peers)" >&2
    ARGS_EXTRA[$s]="(only --port: other options rejected)"
}

echo "== starting servers"
i=0
for s in "${SERVERS[@]}"; do
    if start_server "$s" "$i"; then
        ver="$(info_field "$s" server valkey_version)"
        if [ -n "$ver" ]; then ver="valkey $ver"; else ver="$(info_field "$s" server redis_version)"; ver="${ver:+redis $ver}"; fi
        rss="$(awk '/^VmRSS:/ {print $2}' "/proc/${PID[$s]}/status")"
        printf '%s\tidle_rss_kb\t%s\n' "$s" "$rss" >>"$EXTRA"
        printf 'server\t%s\t%s\t%s\t%s\n' "$s" "${BIN[$s]}" "${ver:-version n/a}" "${ARGS_EXTRA[$s]}" >>"$META"
        echo "  $s: ${BIN[$s]} (${ver:-version n/a}) port ${PORT[$s]} pid ${PID[$s]} ${ARGS_EXTRA[$s]}"
    else
        printf 'server\t%s\t%s\t%s\t%s\n' "$s" "${BIN[$s]:-not found}" "did not start" "${ARGS_EXTRA[$s]}" >>"$META"
    fi
    i=$((i + 1))
done

# --- memory per key and persistence (on a fresh keyspace, before the throughput runs) ---------
if [ "$MEM_KEYS" -gt 0 ]; then
    echo "== memory per key (DEBUG POPULATE $MEM_KEYS key 10), SAVE and DEBUG RELOAD"
    for s in "${SERVERS[@]}"; do
        case "$s" in ours-io*) continue;; esac
        alive "$s" || continue
        before="$(info_field "$s" memory used_memory)"
        reply="$(cli "$s" DEBUG POPULATE "$MEM_KEYS" key 10 || true)"
        after="$(info_field "$s" memory used_memory)"
        dbsize="$(cli "$s" DBSIZE || true)"
        if [ "$reply" = OK ] && [ -n "$before" ] && [ -n "$after" ] && [ "$dbsize" = "$MEM_KEYS" ]; then
            printf '%s\tbytes_per_key\t%s\n' "$s" "$(( (after - before) / MEM_KEYS ))" >>"$EXTRA"
            printf '%s\tused_memory_mb\t%s\n' "$s" "$(( after / 1000000 ))" >>"$EXTRA"
            t0=$(now_ms); r="$(cli "$s" SAVE || true)"; t1=$(now_ms)
            [ "$r" = OK ] && printf '%s\tsave_ms\t%s\n' "$s" $((t1 - t0)) >>"$EXTRA"
            t0=$(now_ms); r="$(cli "$s" DEBUG RELOAD || true)"; t1=$(now_ms)
            [ "$r" = OK ] && [ "$(cli "$s" DBSIZE || true)" = "$MEM_KEYS" ] &&
                printf '%s\tdebug_reload_ms\t%s\n' "$s" $((t1 - t0)) >>"$EXTRA"
        fi
        echo "  $s: populate=${reply:-no reply} dbsize=${dbsize:-?} used_memory ${before:-?} -> ${after:-?}"
        cli "$s" FLUSHALL >/dev/null || true
        rm -f "$WORK/$s/dump.rdb"
    done
fi

# --- throughput, latency, CPU per request -----------------------------------------------------
# Each (test, mode) is its own redis-benchmark invocation so CPU ticks can be attributed to it.
IFS=',' read -r -a TESTS_ARR <<<"$TEST_LIST"
MODES=("P$PIPELINE" "P1")
total=$(( ROUNDS * ${#TESTS_ARR[@]} * ${#MODES[@]} * ${#SERVERS[@]} ))
echo "== throughput: tests=$TEST_LIST rounds=$ROUNDS clients=$CLIENTS n(P$PIPELINE)=$N_PIPE n(P1)=$N_PLAIN ($total runs)"
run_one() { # round server mode test
    local r="$1" s="$2" mode="$3" t="$4" n pargs=() c0 c1 out="$WORK/run.csv" err="$WORK/run.err" rows
    if [ "$mode" = P1 ]; then n="$N_PLAIN"; else n="$N_PIPE"; pargs=(-P "$PIPELINE"); fi
    if ! alive "$s"; then printf '%s\t%s\t%s\t%s\tn/a\tn/a\tn/a\tn/a\t1\n' "$r" "$s" "$mode" "${t^^}" >>"$RAW"; return; fi
    c0="$(cpu_ticks "$s")"
    local ok=1
    timeout "$RUN_TIMEOUT" "${CLIENT_PIN[@]}" redis-benchmark -p "${PORT[$s]}" -t "$t" -n "$n" -c "$CLIENTS" "${pargs[@]}" -q --csv \
        </dev/null >"$out" 2>"$err" || ok=0
    c1="$(cpu_ticks "$s")" || { c1="$c0"; ok=0; }
    OWN_TICKS[$s]=$(( ${OWN_TICKS[$s]:-0} + c1 - c0 ))
    if [ "$ok" = 1 ] && ! grep -q "Error from server" "$err" &&
            rows="$(grep -c '^"[A-Z]' "$out")" && [ "$rows" -gt 0 ]; then
        # CPU per request over all rows this invocation printed (e.g. lrange prints several).
        awk -F'","' -v r="$r" -v s="$s" -v m="$mode" -v c="$((c1 - c0))" -v hz="$CLK_TCK" -v n="$n" -v rows="$rows" '
            /^"[A-Z]/ { gsub(/"/, "", $1); gsub(/"/, "", $NF)
                        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%d\n", r, s, m, $1, $2, $5, $7, c * 1e6 / hz / (n * rows), rows }' \
            "$out" >>"$RAW"
        printf '  round %s %-8s %-4s %-6s %s\n' "$r" "$s" "$mode" "$t" "$(awk -F'","' '/^"[A-Z]/ {printf "%s=%s rps  ", $1, $2}' "$out" | tr -d '"')"
    else
        printf '%s\t%s\t%s\t%s\tn/a\tn/a\tn/a\tn/a\t1\n' "$r" "$s" "$mode" "${t^^}" >>"$RAW"
        printf '  round %s %-8s %-4s %-6s n/a (%s)\n' "$r" "$s" "$mode" "$t" "$( (head -c 200 "$err"; [ -s "$err" ] || echo "no result") | tr '\n\r' '  ')"
    fi
}
# CPU a server burns while *another* server is being measured (busy-polling threads, cron):
# it steals cycles from the peer's runs, so it is reported too.
declare -A OWN_TICKS START_TICKS
for s in "${SERVERS[@]}"; do alive "$s" && START_TICKS[$s]="$(cpu_ticks "$s")"; done
for r in $(seq "$ROUNDS"); do
    for t in "${TESTS_ARR[@]}"; do
        for mode in "${MODES[@]}"; do
            for s in "${SERVERS[@]}"; do run_one "$r" "$s" "$mode" "$t"; done
        done
    done
done
for s in "${SERVERS[@]}"; do
    if alive "$s" && [ -n "${START_TICKS[$s]:-}" ]; then
        idle=$(( $(cpu_ticks "$s") - START_TICKS[$s] - ${OWN_TICKS[$s]:-0} ))
        printf '%s\tidle_cpu_ms\t%s\n' "$s" $(( idle * 1000 / CLK_TCK )) >>"$EXTRA"
    elif [ -n "${PID[$s]:-}" ]; then
        echo "  warning: $s died during the benchmark; its log: $WORK/$s/server.log (removed at exit)" >&2
        tail -n 20 "$WORK/$s/server.log" | sed 's/^/    /' >&2
    fi
done

# --- report -----------------------------------------------------------------------------------
{
    printf 'meta\tdate\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'meta\thost\t%s cores, %s\n' "$(nproc)" "$(uname -r)"
    printf 'meta\tparams\trounds=%s clients=%s n(P%s)=%s n(P1)=%s io-threads=%s mem_keys=%s pin=%s\n' \
        "$ROUNDS" "$CLIENTS" "$PIPELINE" "$N_PIPE" "$N_PLAIN" "$IO_THREADS" "$MEM_KEYS" "$PIN"
    printf 'meta\tio_label\t%s\n' "$([ "$IO_THREADS" = 2 ] && echo ours-io1 || echo ours-io2)"
} >>"$META"
python3 - "$RAW" "$EXTRA" "$META" "${PEERS[*]:-}" <<'PY' | tee "$OUT_DIR/latest.txt"
import statistics, sys
from collections import defaultdict
raw, extra, meta, peers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()

def num(x):
    try: return float(x)
    except ValueError: return None

samples = defaultdict(list)          # (server, mode, test) -> [(rps, p50, p99, cpu)]
order = []                           # (test, mode) in first-seen order
multi = set()                        # tests printed by an invocation that printed several rows
for line in open(raw):
    r, s, m, t, *vals, rows = line.rstrip("\n").split("\t")
    if (t, m) not in order: order.append((t, m))
    if int(rows) > 1: multi.add(t)
    vals = [num(v) for v in vals]
    if all(v is not None for v in vals): samples[(s, m, t)].append(vals)
# A run that failed everywhere is recorded under the -t name ("MSET"); drop it when another
# server printed the real row name ("MSET (10 keys)").
have = {(t, m) for (s, m, t) in samples}
order = [(t, m) for t, m in order if (t, m) in have or
         not any(m2 == m and (t2.startswith(t + " ") or t2.startswith(t + "_")) for t2, m2 in have)]
ex = defaultdict(dict)
for line in open(extra):
    s, k, v = line.rstrip("\n").split("\t"); ex[s][k] = num(v)
info = {}; servers = []
for line in open(meta):
    f = line.rstrip("\n").split("\t")
    if f[0] == "server": servers.append(f[1:])
    else: info[f[1]] = f[2]
io_label = info["io_label"]

def med(s, m, t, i):
    v = [x[i] for x in samples.get((s, m, t), [])]
    return statistics.median(v) if v else None
def fmt(v, d=0):
    if v is None: return "n/a"
    return f"{v:,.{d}f}" if d == 0 else f"{v:.{d}f}"
def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "n/a"
def table(title, head, rows):
    print(f"\n{title}")
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    for r in [head] + rows:
        print("  " + "  ".join(str(c).ljust(w[i]) if i < 2 else str(c).rjust(w[i]) for i, c in enumerate(r)))

print("valkey-rs benchmark (benches/compare.sh, GUIDE.md §5)")
print(f"  {info['date']}  host: {info['host']}")
print(f"  {info['params']}")
for label, path, ver, args in servers:
    print(f"  {label:9} {path}  ({ver})  {args}")
print("  Ratios are ours/peer, medians over alternating rounds. The client shares the cores:")
print("  trust ratios and CPU/request, not absolute rps.")

ours = "ours"
table("Throughput, median requests/s (ratio > 1: ours faster)",
      ["test", "mode", ours] + [x for p in peers for x in (p, f"{ours}/{p}")],
      [[t, m, fmt(med(ours, m, t, 0))] +
       [x for p in peers for x in (fmt(med(p, m, t, 0)), ratio(med(ours, m, t, 0), med(p, m, t, 0)))]
       for t, m in order])
for name, idx in (("p50", 1), ("p99", 2)):
    table(f"Latency {name}, median ms (ratio < 1: ours faster)",
          ["test", "mode", ours] + [x for p in peers for x in (p, f"{ours}/{p}")],
          [[t, m, fmt(med(ours, m, t, idx), 3)] +
           [x for p in peers for x in (fmt(med(p, m, t, idx), 3), ratio(med(ours, m, t, idx), med(p, m, t, idx)))]
           for t, m in order])
table("Server CPU time per request, median µs user+sys (ratio < 1: ours cheaper)",
      ["test", "mode", ours] + [x for p in peers for x in (p, f"{ours}/{p}")],
      [[t + (" *" if t in multi else ""), m, fmt(med(ours, m, t, 3), 3)] +
       [x for p in peers for x in (fmt(med(p, m, t, 3), 3), ratio(med(ours, m, t, 3), med(p, m, t, 3)))]
       for t, m in order])
if multi:
    print("  * one redis-benchmark invocation printed several rows: its CPU time is averaged over all of them")
mk = info["params"].split("mem_keys=")[1].split()[0]
rows = []
for key, label, d in (("idle_rss_kb", "idle RSS after start, kB", 0),
                      ("bytes_per_key", f"used_memory / key (DEBUG POPULATE {mk} key 10), B", 0),
                      ("used_memory_mb", f"used_memory with {mk} keys, MB", 0),
                      ("save_ms", f"SAVE of {mk} keys, ms", 0),
                      ("debug_reload_ms", f"DEBUG RELOAD of {mk} keys, ms", 0),
                      ("idle_cpu_ms", "CPU used while other servers were measured, ms", 0)):
    a = ex[ours].get(key)
    rows.append([label, "", fmt(a, d)] + [x for p in peers for x in (fmt(ex[p].get(key), d), ratio(a, ex[p].get(key)))])
table("Memory and persistence (ratio < 1: ours smaller/faster)",
      ["metric", "", ours] + [x for p in peers for x in (p, f"{ours}/{p}")], rows)
if any(s[0] == io_label for s in servers):
    a, b = (ours, io_label) if io_label == "ours-io2" else (io_label, ours)
    if any(s[0] == "ours-io1u" for s in servers):
        a = "ours-io1u"
    cols = [("io2", b)] + ([("io2 forced", "ours-io2f")] if any(s[0] == "ours-io2f" for s in servers) else [])
    note = " (both unpinned)" if a == "ours-io1u" else ""
    table(f"Our server, io-threads 2 vs 1{note} (ratio io2/io1)",
          ["test", "mode", "rps io1"] + [x for n, _ in cols for x in (f"rps {n}", "ratio")]
          + ["cpu µs io1"] + [x for n, _ in cols for x in (f"cpu µs {n}", "ratio")],
          [[t + (" *" if t in multi else ""), m, fmt(med(a, m, t, 0))]
           + [x for _, s in cols for x in (fmt(med(s, m, t, 0)), ratio(med(s, m, t, 0), med(a, m, t, 0)))]
           + [fmt(med(a, m, t, 3), 3)]
           + [x for _, s in cols for x in (fmt(med(s, m, t, 3), 3), ratio(med(s, m, t, 3), med(a, m, t, 3)))]
           for t, m in order])
PY
echo
echo "(written to $OUT_DIR/latest.txt; raw samples in $RAW)"
