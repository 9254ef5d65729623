#!/usr/bin/env bash
# make test: set-up, fresh test database with kam_management (no demo), a second fresh
# install with demo data, then the pytest suite against the test database.
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

echo "[test] installing kam_management with demo data in $DEMO_CHECK_DB"
copy_db "$tmpl_demo" "$DEMO_CHECK_DB"
odoo_checked "$ROOT/.state/install_$DEMO_CHECK_DB.log" -d "$DEMO_CHECK_DB" -i kam_management \
    --with-demo --stop-after-init --log-level=warn
drop_db "$DEMO_CHECK_DB"

echo "[test] pytest tests/ against $TEST_DB"
set +e
"$ROOT/.venv/bin/pytest" -p no:cacheprovider -p no:warnings -q \
    --odoo-config="$CONF" --odoo-database="$TEST_DB" "$ROOT/tests" "$@"
rc=$?
set -e
echo "[test] make test took $(( $(date +%s) - start )) s"
exit $rc
