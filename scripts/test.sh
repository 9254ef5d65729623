#!/usr/bin/env bash
# make test: set-up, fresh test database with kam_management (no demo), a second fresh
# install with demo data (in parallel with the tests), then the pytest suite.
set -euo pipefail
source "$(dirname "$0")/common.sh"
TEST_DB=${KAM_TEST_DB:-kam_test}
DEMO_CHECK_DB=${TEST_DB}_demo
start=$(date +%s)

tmpl=$(ensure_template nodemo)
tmpl_demo=$(ensure_template demo)

echo "[test] installing kam_management in $TEST_DB (no demo)"
copy_db "$tmpl" "$TEST_DB"
odoo_checked "$ROOT/.state/install_$TEST_DB.log" -d "$TEST_DB" -i kam_management \
    --stop-after-init --log-level=warn

echo "[test] installing kam_management with demo data in $DEMO_CHECK_DB (in the background)"
copy_db "$tmpl_demo" "$DEMO_CHECK_DB"
# tests/test_workers_cron.py waits for this install to end, then runs a two-worker
# server on a copy of it
export KAM_DEMO_CHECK_DB=$DEMO_CHECK_DB
export KAM_DEMO_CHECK_DONE="$ROOT/.state/demo_check_$TEST_DB.done"
rm -f "$KAM_DEMO_CHECK_DONE"
(
    rc=0
    odoo_checked "$ROOT/.state/install_$DEMO_CHECK_DB.log" -d "$DEMO_CHECK_DB" \
        -i kam_management --with-demo --stop-after-init --log-level=warn \
        > "$ROOT/.state/demo_check_$TEST_DB.out" 2>&1 || rc=$?
    echo "$rc" > "$KAM_DEMO_CHECK_DONE"
    exit "$rc"
) &
demo_pid=$!

# --odoo-http: pytest-odoo serves Odoo on a free port for the browser tours
# (HttpCase); without it they would be skipped (tests/conftest.py refuses that)
echo "[test] pytest tests/ against $TEST_DB (with an HTTP server for the browser tours)"
set +e
"$ROOT/.venv/bin/pytest" -p no:cacheprovider -p no:warnings -q \
    --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http "$ROOT/tests" "$@"
rc=$?
wait "$demo_pid"
demo_rc=$?
set -e
if [ "$demo_rc" -ne 0 ]; then
    grep -v "^<string>" "$ROOT/.state/demo_check_$TEST_DB.out" | tail -40 >&2
    echo "[test] the demo data did not load (see .state/install_$DEMO_CHECK_DB.log)" >&2
    rc=1
else
    echo "[test] demo data loaded without error"
    drop_db "$DEMO_CHECK_DB"
fi
echo "[test] make test took $(( $(date +%s) - start )) s"
exit $rc
