#!/usr/bin/env bash
# make bench (not part of make test): fresh database with kam_management, the data set
# of bench/generate.py, then the measurements of bench/measure.py; the table goes to
# bench/RESULTS.md. Sizes: make bench ARGS="--kams 50 --accounts 1000 --lines 200000"
set -euo pipefail
source "$(dirname "$0")/common.sh"
BENCH_DB=${KAM_BENCH_DB:-kam_bench}
start=$(date +%s)

tmpl=$(ensure_template nodemo)
echo "[bench] installing kam_management in $BENCH_DB (no demo)"
copy_db "$tmpl" "$BENCH_DB"
odoo_checked "$ROOT/.state/install_$BENCH_DB.log" -d "$BENCH_DB" -i kam_management \
    --stop-after-init --log-level=warn

echo "[bench] generating and measuring (log: .state/bench_$BENCH_DB.log)"
set +e
"$PY" -W ignore "$ROOT/bench/run.py" -c "$CONF" -d "$BENCH_DB" "$@" \
    2> "$ROOT/.state/bench_$BENCH_DB.log"
rc=$?
set -e
[ "$rc" -le 1 ] || tail -30 "$ROOT/.state/bench_$BENCH_DB.log" >&2
echo "[bench] make bench took $(( $(date +%s) - start )) s (exit $rc: 1 = a goal not met)"
exit $rc
