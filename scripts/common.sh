# Sourced by demo.sh and test.sh: set-up, then helpers around odoo-bin and PostgreSQL.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo-19.0}
CONF=$(bash "$ROOT/scripts/setup.sh")
export ODOO_SRC
# shellcheck disable=SC1091
source "$ROOT/.state/pg.env"
PY="$ROOT/.venv/bin/python"
FILESTORE="$ROOT/.state/data/filestore"
DEPS="sale_management,sale_stock,account,calendar,mail,contacts,sale_financial_risk,sale_tier_validation,account_credit_control,sale_loyalty,sale_order_product_recommendation,spreadsheet_dashboard"

odoo() { "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"; }

db_exists() { psql -XtAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }

drop_db() {
    dropdb --if-exists --force "$1"
    rm -rf "${FILESTORE:?}/$1"
}

# Run odoo-bin, keep its log, fail on a non-zero exit or any ERROR/CRITICAL line.
odoo_checked() {
    local log=$1; shift
    rm -f "$log"  # odoo-bin appends to its log file
    if ! odoo "$@" --logfile="$log"; then
        grep -E " (ERROR|CRITICAL) " "$log" | head -20 >&2 || true
        echo "odoo-bin failed, see $log" >&2
        return 1
    fi
    # "demo data failed to install" is only a WARNING in Odoo: count it as an error
    local bad=" (ERROR|CRITICAL) |demo data failed to install"
    if grep -qE "$bad" "$log"; then
        grep -E -A25 "$bad" "$log" | head -80 >&2
        echo "odoo-bin logged errors, see $log" >&2
        return 1
    fi
}

# Installed odoo-addon-* wheels and their versions, one per line.
addon_versions() {
    "$PY" -c 'import importlib.metadata as m
print("\n".join(sorted("%s==%s" % (d.metadata["Name"].lower(), d.version)
    for d in m.distributions() if d.metadata["Name"].lower().startswith("odoo-addon"))))'
}

# A database with the dependencies installed, built once per Odoo/requirements version.
# $1 = "demo" or "nodemo"; prints the template's name.
ensure_template() {
    local kind=$1 hash name
    # what decides the template's content: the modules, Odoo's version and the add-on
    # wheels' versions (not the test tooling of requirements.txt)
    hash=$( (echo "$DEPS $kind"; addon_versions; cat "$ODOO_SRC/odoo/release.py") | sha256sum | cut -c1-10)
    name="kam_tmpl_${kind}_$hash"
    if ! db_exists "$name"; then
        echo "[db] building template $name (dependencies, once)" >&2
        drop_db "$name"
        local demo_flag=()
        [ "$kind" = demo ] && demo_flag=(--with-demo)
        if ! odoo_checked "$ROOT/.state/$name.log" -d "$name" -i "$DEPS" "${demo_flag[@]}" \
                --stop-after-init --log-level=warn; then
            drop_db "$name"
            return 1
        fi
    fi
    echo "$name"
}

# Fresh copy of a template (database and filestore).
copy_db() {
    local tmpl=$1 name=$2
    drop_db "$name"
    createdb -T "$tmpl" "$name"
    if [ -d "$FILESTORE/$tmpl" ]; then
        mkdir -p "$FILESTORE"
        cp -r "$FILESTORE/$tmpl" "$FILESTORE/$name"
    fi
}

module_hash() {
    (cd "$ROOT" && find kam_management -type f -not -name '*.pyc' | sort | xargs sha256sum) | sha256sum | cut -c1-16
}
