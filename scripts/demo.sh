#!/usr/bin/env bash
# make demo: set-up, database kam_demo with kam_management and demo data (created when
# missing, upgraded when the add-on changed), then serve Odoo in the foreground.
set -euo pipefail
source "$(dirname "$0")/common.sh"
DEMO_DB=${KAM_DEMO_DB:-kam_demo}
stamp="$ROOT/.state/$DEMO_DB.stamp"

if ! db_exists "$DEMO_DB"; then
    tmpl=$(ensure_template demo)
    echo "[demo] creating $DEMO_DB with demo data"
    copy_db "$tmpl" "$DEMO_DB"
    odoo_checked "$ROOT/.state/$DEMO_DB.log" -d "$DEMO_DB" -i kam_management --with-demo \
        --stop-after-init --log-level=warn
    module_hash > "$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$(module_hash)" ]; then
    echo "[demo] the add-on changed: upgrading kam_management in $DEMO_DB"
    odoo_checked "$ROOT/.state/$DEMO_DB.log" -d "$DEMO_DB" -u kam_management \
        --stop-after-init --log-level=warn
    module_hash > "$stamp"
fi

port=$(sed -n 's/^http_port = //p' "$CONF")
cat <<MSG

  Key Account Management demo: http://127.0.0.1:$port  (database $DEMO_DB)

  login / password     role
  admin  / admin       administrator (Head of Sales too)
  hector / hector      Head of Sales
  anna   / anna        Key Account Manager
  boris  / boris       Key Account Manager
  clara  / clara       Key Account Manager
  sofia  / sofia       Sales Support
  dmitry / dmitry      Key Account Manager, works in Russian

  Ctrl-C stops the server.

MSG
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$"
