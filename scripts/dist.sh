#!/usr/bin/env bash
# make dist: the add-on as an OCA-style wheel, dist/odoo_addon_kam_management-<version>-
# py3-none-any.whl, built by whool (PEP 517 backend of kam_management/pyproject.toml).
# whool reads the version from the manifest (plus the number of commits since the
# manifest's version last changed, as OCA's wheels do), the files from git (what git
# tracks in kam_management/: commit or `git add` a new file first) and turns the
# manifest's OCA dependencies into odoo-addon-*==19.0.* requirements.
# $1: the output directory (default dist/). Prints the wheel's path.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/dist}
bash "$ROOT/scripts/setup.sh" > /dev/null
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# the generated README.rst is the wheel's long description: it must be current
"$ROOT/.venv/bin/python" "$ROOT/scripts/gen_readme.py" --check > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT/kam_management" && "$ROOT/.venv/bin/python" -m pip wheel --quiet --no-deps \
    --no-build-isolation --disable-pip-version-check --wheel-dir "$tmp" . >&2)
built=("$tmp"/odoo_addon_kam_management-*-py3-none-any.whl)
[ -f "${built[0]}" ] || { echo "whool built no wheel" >&2; exit 1; }
mv -f "${built[0]}" "$OUT/"
echo "$OUT/$(basename "${built[0]}")"
