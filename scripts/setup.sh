#!/usr/bin/env bash
# Idempotent set-up shared by `make demo` and `make test`:
#   Debian packages (as root; wkhtmltopdf for PDF reports), Odoo source, project venv, PostgreSQL, odoo config.
# Prints nothing to stdout but the config path at the end (scripts source it via env.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo-19.0}
VENV="$ROOT/.venv"
CONF="$ROOT/.odoo.conf"
STATE="$ROOT/.state"
mkdir -p "$STATE"

log() { echo "[setup] $*" >&2; }

# --- Debian packages -------------------------------------------------------
# Odoo's browser tests look for these on PATH (odoo/tests/common.py _find_executable)
has_browser() {
    local browser
    for browser in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$browser" >/dev/null; then
            return 0
        fi
    done
    return 1
}
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=()
    for pkg in postgresql libpq-dev libldap2-dev libsasl2-dev; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    # PDF reports (the Key Account Review, acts): Odoo prints through wkhtmltopdf
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    # the browser tours of make test: a headless Chrome or Chromium
    has_browser || missing+=(chromium)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    fi
fi

if ! has_browser; then
    log "WARNING: no Chrome or Chromium on PATH: make test's browser tours will fail" \
        "(install Debian's chromium, or run the set-up as root)"
fi

# --- Odoo source -----------------------------------------------------------
odoo_src_error() {
    echo "ERROR: ODOO_SRC must point to an Odoo 19.0 community source tree" \
         "(a directory holding odoo-bin, odoo/release.py and requirements.txt);" \
         "'$ODOO_SRC' $1." >&2
    exit 2
}
if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
    # never touch a directory that exists: only clone into a new one
    [ -e "$ODOO_SRC" ] && odoo_src_error "exists but holds no Odoo"
    log "no Odoo source at $ODOO_SRC: trying a shallow clone of Odoo 19.0"
    if ! timeout 600 git clone -q --depth 1 --branch 19.0 https://github.com/odoo/odoo.git "$ODOO_SRC" >&2; then
        rm -rf "$ODOO_SRC"
        odoo_src_error "is missing and could not be cloned"
    fi
fi
if ! grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py"; then
    echo "ERROR: $ODOO_SRC is not Odoo 19.0 (see odoo/release.py)." >&2
    exit 2
fi

# --- Python venv -----------------------------------------------------------
pick_python() {
    for py in "${PYTHON:-}" python3.11 python3.12 python3.13 python3.10 python3; do
        [ -n "$py" ] || continue
        command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then
            echo "$py"; return 0
        fi
    done
    echo "ERROR: Python 3.10-3.13 is required." >&2
    exit 2
}
if [ ! -x "$VENV/bin/python" ]; then
    py=$(pick_python)
    log "creating $VENV with $py"
    "$py" -m venv "$VENV"
fi
stamp_now=$( (cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt"; echo "$ODOO_SRC") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STATE/pip.stamp" 2>/dev/null)" != "$stamp_now" ]; then
    log "installing Python requirements (Odoo, OCA add-ons, pytest)"
    if [ ! -w "$ODOO_SRC" ] || { [ -e "$ODOO_SRC/odoo.egg-info" ] && [ ! -w "$ODOO_SRC/odoo.egg-info" ]; }; then
        # `pip install -e` registers Odoo in place: it writes odoo.egg-info there
        echo "ERROR: $ODOO_SRC must be writable by $(id -un): the set-up registers Odoo" \
             "in the venv with 'pip install --no-deps -e \$ODOO_SRC'. Use a copy you own." >&2
        exit 2
    fi
    echo "setuptools<81" > "$STATE/pip-constraints.txt"
    # old pips read PIP_CONSTRAINT in build environments too, new ones PIP_BUILD_CONSTRAINT
    export PIP_CONSTRAINT="$STATE/pip-constraints.txt" PIP_BUILD_CONSTRAINT="$STATE/pip-constraints.txt"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/python" -m pip install -q wheel "setuptools<81" >&2
    "$VENV/bin/python" -m pip install -q -r "$ODOO_SRC/requirements.txt" >&2
    "$VENV/bin/python" -m pip install -q --no-deps -e "$ODOO_SRC" >&2
    "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements.txt" >&2
    echo "$stamp_now" > "$STATE/pip.stamp"
fi

# --- PostgreSQL ------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    read -r pgver pgcluster pgport pgstatus _ < <(pg_lsclusters -h | head -n1)
    if [ "$pgstatus" != "online" ]; then
        log "starting PostgreSQL cluster $pgver/$pgcluster"
        pg_ctlcluster "$pgver" "$pgcluster" start >&2
    fi
    if ! su postgres -c "psql -p $pgport -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$(id -un)'\"" | grep -q 1; then
        su postgres -c "createuser -p $pgport -s $(id -un)" >&2
    fi
    DB_PORT=$pgport
    DB_HOST=""
else
    # a private cluster inside the project (git-ignored)
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    PGDATA="$ROOT/.pgdata"
    DB_HOST="$ROOT/.pgsock"
    DB_PORT=${KAM_PG_PORT:-54329}
    mkdir -p "$DB_HOST"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        log "initialising a private PostgreSQL cluster in $PGDATA"
        "$PGBIN/initdb" -D "$PGDATA" -U "$(id -un)" --auth=trust >&2
    fi
    if ! "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
            -o "-k $DB_HOST -p $DB_PORT -c listen_addresses=''" start >&2
    fi
fi

# --- Odoo configuration (git-ignored) -----------------------------------------
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
{
    echo "[options]"
    echo "addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$site/odoo/addons,$ROOT"
    echo "data_dir = $ROOT/.state/data"
    echo "db_user = $(id -un)"
    [ -n "$DB_HOST" ] && echo "db_host = $DB_HOST"
    echo "db_port = $DB_PORT"
    echo "http_interface = 127.0.0.1"
    echo "http_port = ${KAM_HTTP_PORT:-8069}"
    echo "list_db = True"
} > "$CONF"
# for psql/createdb/dropdb in the other scripts
{
    echo "export PGPORT=$DB_PORT"
    [ -n "$DB_HOST" ] && echo "export PGHOST=$DB_HOST"
    echo "export PGDATABASE=postgres"
} > "$STATE/pg.env"
echo "$CONF"
