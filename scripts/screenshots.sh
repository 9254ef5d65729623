#!/usr/bin/env bash
# make screenshots: a fresh demo database (kam_shots, made as by make demo) served on a
# spare port, then scripts/screenshots.py writes each role's main screens, desktop and
# phone, to docs/screenshots/; the Apps page's few (screenshots.py APPS) are copied to
# kam_management/static/description/screenshots/ (what the add-on and its wheel carry).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${KAM_SHOTS_PORT:-8079}
OUT=${KAM_SHOTS_DIR:-$ROOT/docs/screenshots}
APPS=$ROOT/kam_management/static/description/screenshots
DEMO_DB=${KAM_SHOTS_DB:-kam_shots}
LOG="$ROOT/.state/screenshots_server.log"
bash "$ROOT/scripts/setup.sh" > /dev/null
# shellcheck disable=SC1091
source "$ROOT/.state/pg.env"
dropdb --if-exists --force "$DEMO_DB"  # the demo's dates are relative to today

KAM_HTTP_PORT=$PORT KAM_DEMO_DB=$DEMO_DB bash "$ROOT/scripts/demo.sh" > "$LOG" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; pkill -f "odoo-bin.*--db-filter=\^$DEMO_DB\\$" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/web/login" > /dev/null && break
    kill -0 $server 2>/dev/null || { tail -30 "$LOG" >&2; exit 1; }
    sleep 1
done
"$ROOT/.venv/bin/python" "$ROOT/scripts/screenshots.py" --url "http://127.0.0.1:$PORT" \
    --db "$DEMO_DB" --out "$OUT" --apps "$APPS" "$@"
