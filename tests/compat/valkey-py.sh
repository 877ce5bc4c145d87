#!/usr/bin/env bash
# valkey-py.sh — measure wire compatibility with the `valkey` Python client's own test suite.
#
# Why: the valkey-py 6.2.0 sdist ships ~2300 tests that exercise almost every command the way a
# real client does; the number that pass against our server is the open yardstick for
# compatibility (GUIDE.md §4). This script installs the suite idempotently (venv in .venv-compat/,
# sdist under target/compat/), starts a throw-away server on a free port in a temp dir, runs the
# suite with the guide's pytest command line, stops the server and prints one summary line:
#     valkey-py: N passed, N failed, N skipped
# (counts as pytest's own summary reports them; "failed" = failed + errors). It is a measurement:
# exit 0 even when tests fail; non-zero only when the harness itself broke.
#
# Outputs (in $COMPAT_DIR): valkey-py.log (full pytest output), valkey-py-junit.xml,
# valkey-py.counts ("PASSED FAILED SKIPPED", read by ratchet.sh).
#
# Env:
#   SERVER_BIN      server binary (default target/release/valkey-server; e.g. $(which redis-server))
#   SERVER_ARGS     extra arguments appended to the server command line
#   PORT            port to use (default: a free one; note 5 tests hard-code localhost:6379)
#   PYTEST_ARGS     extra pytest arguments (e.g. "-k hash")
#   COMPAT_VERBOSE  1 = stream the full pytest output to stdout (default: only the summary)
#   COMPAT_DIR      cache/output dir (default target/compat)
#   PYTHON          python used to create the venv (default python3)
set -euo pipefail

VALKEY_PY_VERSION=6.2.0
# The guide's package list, pinned to versions verified to work with valkey-py 6.2.0's tests so the
# ratchet number does not move when PyPI publishes a new pytest plugin.
PY_DEPS=(pytest==9.2.0 pytest-asyncio==1.5.0 pytest-timeout==2.4.0 mock==5.2.0 packaging==26.3
         cachetools==8.0.1 ujson==6.1.0)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVER_BIN="${SERVER_BIN:-$ROOT/target/release/valkey-server}"
COMPAT_DIR="${COMPAT_DIR:-$ROOT/target/compat}"
VENV="$ROOT/.venv-compat"
PY="$VENV/bin/python"
SRC="$COMPAT_DIR/valkey-$VALKEY_PY_VERSION"
JUNIT="$COMPAT_DIR/valkey-py-junit.xml"
LOG="$COMPAT_DIR/valkey-py.log"
COUNTS="$COMPAT_DIR/valkey-py.counts"

die() { echo "valkey-py.sh: error: $*" >&2; exit 2; }

if [ ! -x "$SERVER_BIN" ]; then
    SERVER_BIN="$(command -v "$SERVER_BIN" || true)"
    [ -n "$SERVER_BIN" ] || die "server binary not found (run 'make build' or set SERVER_BIN)"
fi
command -v timeout >/dev/null || die "coreutils 'timeout' is required"
mkdir -p "$COMPAT_DIR"
COMPAT_DIR="$(cd "$COMPAT_DIR" && pwd)"

# --- 1. install the client and its test suite (idempotent) ------------------------------------
STAMP="$VENV/.valkey-py-$VALKEY_PY_VERSION-$(echo "${PY_DEPS[*]}" | cksum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ ! -f "$SRC/tests/conftest.py" ]; then
    echo "== installing valkey-py $VALKEY_PY_VERSION and its test suite (venv: $VENV)"
    if [ ! -x "$PY" ]; then
        "${PYTHON:-python3}" -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
    fi
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
    if [ ! -f "$SRC/tests/conftest.py" ]; then
        "$PY" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
            "valkey==$VALKEY_PY_VERSION" -d "$COMPAT_DIR/dl"
        tar xzf "$COMPAT_DIR/dl/valkey-$VALKEY_PY_VERSION.tar.gz" -C "$COMPAT_DIR"
    fi
    "$PY" -m pip install -q --disable-pip-version-check "$SRC" "${PY_DEPS[@]}"
    rm -f "$VENV"/.valkey-py-*
    touch "$STAMP"
fi

# --- 2. start a throw-away server on a free port ----------------------------------------------
PORT="${PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/valkey-py-compat.XXXXXX")"
SERVER_PID=""
PYTEST_PID=""
cleanup() {
    # Interrupted mid-run: `timeout` forwards the signal to pytest.
    if [ -n "$PYTEST_PID" ] && kill -0 "$PYTEST_PID" 2>/dev/null; then kill "$PYTEST_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting $SERVER_BIN on port $PORT (cwd $WORK)"
# shellcheck disable=SC2086  # SERVER_ARGS is intentionally word-split
(cd "$WORK" && exec "$SERVER_BIN" --save '' --appendonly no --port "$PORT" \
    --enable-debug-command yes ${SERVER_ARGS:-}) </dev/null >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

# Wait for +PONG (plain socket: no redis-cli needed).
if ! "$PY" - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1]); deadline = time.time() + 20
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(64).startswith(b"+PONG"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
then
    echo "--- server log:" >&2; tail -n 30 "$WORK/server.log" >&2 || true
    die "server did not answer PING on port $PORT within 20 s"
fi

# The suite's conftest reads valkey_version, arch_bits and cluster_enabled from INFO and aborts the
# whole session (INTERNALERROR) when one is missing: Redis 7.0, or a young build of ours. Only in
# that case load a tiny plugin that fills the gaps (valkey_version := redis_version or 0.0.0) so
# the run still measures something; a server that reports them runs the suite unmodified.
SHIM_ARGS=()
if ! "$PY" - "$PORT" <<'PY'
import sys, valkey
try:
    info = valkey.Valkey(port=int(sys.argv[1]), socket_timeout=5).info()
except Exception:
    sys.exit(1)
sys.exit(0 if all(k in info for k in ("valkey_version", "arch_bits", "cluster_enabled")) else 1)
PY
then
    echo "== note: server's INFO lacks valkey_version/arch_bits/cluster_enabled: loading the conftest shim"
    cat >"$COMPAT_DIR/valkey_py_info_shim.py" <<'PY'
"""Fill in the INFO fields valkey-py's conftest needs when the server under test lacks them."""


def pytest_plugin_registered(plugin, manager):
    get_info = getattr(plugin, "_get_info", None)
    if get_info is None or not hasattr(plugin, "VALKEY_INFO") or getattr(get_info, "_shim", False):
        return

    def _get_info(url):
        import valkey

        try:
            info = dict(get_info(url))
        except valkey.ConnectionError:
            raise
        except Exception:
            info = {}
        info.setdefault("valkey_version", str(info.get("redis_version", "0.0.0")))
        info.setdefault("arch_bits", 64)
        info.setdefault("cluster_enabled", False)
        return info

    _get_info._shim = True
    plugin._get_info = _get_info
PY
    SHIM_ARGS=(-p valkey_py_info_shim)
fi

# --- 3. run the suite (command line as in GUIDE.md §4) -----------------------------------------
echo "== running the valkey-py $VALKEY_PY_VERSION test suite (full output: $LOG)"
rm -f "$JUNIT" "$COUNTS"
START=$(date +%s)
set +e
# Overall limit 30 min: SIGINT first so pytest stops gracefully and still writes its summary and
# the junit XML; SIGKILL 60 s later if it does not.
# shellcheck disable=SC2086  # PYTEST_ARGS is intentionally word-split
(cd "$SRC" && PYTHONPATH="$COMPAT_DIR${PYTHONPATH:+:$PYTHONPATH}" COLUMNS=160 \
    exec timeout -s INT -k 60 1800 "$PY" -m pytest tests -o addopts="" -p no:cacheprovider --timeout=30 \
    --valkey-url="valkey://localhost:$PORT/0" \
    -m "not onlycluster and not valkeymod and not ssl and not replica" \
    --ignore=tests/test_ssl.py --ignore=tests/test_cluster.py --ignore=tests/test_asyncio/test_cluster.py \
    --ignore=tests/test_sentinel.py --ignore=tests/test_asyncio/test_sentinel.py \
    --ignore=tests/test_asyncio/test_sentinel_managed_connection.py \
    --junitxml="$JUNIT" -q -rfE ${SHIM_ARGS[@]+"${SHIM_ARGS[@]}"} ${PYTEST_ARGS:-} </dev/null) \
    >"$LOG" 2>&1 &
PYTEST_PID=$!
if [ "${COMPAT_VERBOSE:-0}" = 1 ]; then
    tail -n +1 --pid="$PYTEST_PID" -f "$LOG" &
fi
wait "$PYTEST_PID"
RC=$?
PYTEST_PID=""
sleep 0.3   # let a verbose tail flush
set -e
ELAPSED=$(( $(date +%s) - START ))

SERVER_ALIVE=yes
kill -0 "$SERVER_PID" 2>/dev/null || SERVER_ALIVE=no

if [ "${COMPAT_VERBOSE:-0}" != 1 ]; then
    # Failure list + pytest's own summary line (tracebacks are in the log).
    sed -n '/short test summary info/,$p' "$LOG" | tail -n 400
fi
# pytest: 0 all passed, 1 some failed, 2 interrupted (our overall timeout), 124/137 timeout/killed.
case "$RC" in
    0|1) ;;
    2|124|137) echo "valkey-py.sh: warning: pytest was interrupted (rc=$RC; overall 30 min limit?)" >&2 ;;
    *) tail -n 30 "$LOG" >&2; die "pytest exited with rc=$RC: harness broken? see $LOG" ;;
esac
if [ "$SERVER_ALIVE" = no ]; then
    echo "valkey-py.sh: warning: the server died during the run; last lines of its log:" >&2
    tail -n 30 "$WORK/server.log" >&2 || true
fi

# --- 4. summary -------------------------------------------------------------------------------
# pytest's final line, e.g. "35 failed, 1859 passed, 404 skipped, 166 deselected, 22 xpassed,
# 28 errors in 87.65s"; fall back to the junit XML if it is missing (hard kill).
read -r PASSED FAILED SKIPPED DETAIL < <("$PY" - "$LOG" "$JUNIT" <<'PY'
import os, re, sys
log, junit = sys.argv[1], sys.argv[2]
counts = None
for line in reversed(open(log, errors="replace").read().splitlines()):
    if re.search(r"\d+ (passed|failed|skipped|errors?|deselected|xfailed|xpassed)\b.* in [\d.]+s", line):
        counts = {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", line)}
        counts["errors"] = counts.pop("error", 0) + counts.get("errors", 0)
        break
if counts is None and os.path.exists(junit) and os.path.getsize(junit):
    import xml.etree.ElementTree as ET
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    t = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) for s in suites)
    e = sum(int(s.get("errors", 0)) for s in suites)
    k = sum(int(s.get("skipped", 0)) for s in suites)
    counts = {"passed": t - f - e - k, "failed": f, "errors": e, "skipped": k, "source": "junit"}
if counts is None:
    sys.exit(1)
g = counts.get
detail = ",".join(f"{k}={v}" for k, v in counts.items())
print(g("passed", 0), g("failed", 0) + g("errors", 0), g("skipped", 0), detail)
PY
) || die "could not find pytest's summary in $LOG nor a junit XML"
echo "$PASSED $FAILED $SKIPPED" >"$COUNTS"
echo "== $(basename "$SERVER_BIN"): ${ELAPSED}s, pytest rc=$RC, server alive at end: $SERVER_ALIVE, detail: $DETAIL"
echo "valkey-py: $PASSED passed, $FAILED failed, $SKIPPED skipped"
