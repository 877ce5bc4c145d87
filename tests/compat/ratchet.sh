#!/usr/bin/env bash
# ratchet.sh — compatibility may only go up.
#
# Why: the number of valkey-py tests our server passes is committed in tests/compat/valkey-py.passed.
# CI runs this script: it fails (exit 1) when fewer tests pass than that number, so a change cannot
# silently break client compatibility; when more pass, it says so and asks you to raise the
# committed number in the same change. Exit 2 means the harness itself broke.
# Env: everything valkey-py.sh accepts (SERVER_BIN, PORT, ...).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
COMMITTED_FILE="$HERE/valkey-py.passed"
COUNTS="${COMPAT_DIR:-$ROOT/target/compat}/valkey-py.counts"

COMMITTED="$(tr -d '[:space:]' <"$COMMITTED_FILE")"
[[ "$COMMITTED" =~ ^[0-9]+$ ]] || { echo "ratchet: $COMMITTED_FILE must hold one integer, found '$COMMITTED'" >&2; exit 2; }

rm -f "$COUNTS"
"$HERE/valkey-py.sh" || { rc=$?; echo "ratchet: valkey-py.sh failed (rc=$rc): harness broken" >&2; exit 2; }
[ -s "$COUNTS" ] || { echo "ratchet: $COUNTS missing after valkey-py.sh" >&2; exit 2; }
read -r PASSED FAILED SKIPPED <"$COUNTS"

echo "ratchet: valkey-py passed $PASSED (failed $FAILED, skipped $SKIPPED); committed minimum $COMMITTED"
if [ "$PASSED" -lt "$COMMITTED" ]; then
    echo "ratchet: FAIL: $((COMMITTED - PASSED)) fewer valkey-py tests pass than the committed $COMMITTED." >&2
    echo "ratchet: see target/compat/valkey-py.log for what broke." >&2
    exit 1
elif [ "$PASSED" -gt "$COMMITTED" ]; then
    echo "ratchet: compatibility rose by $((PASSED - COMMITTED)). Lock it in with:"
    echo "    echo $PASSED > tests/compat/valkey-py.passed"
else
    echo "ratchet: OK (unchanged)"
fi
