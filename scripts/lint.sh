#!/usr/bin/env bash
# make lint: the OCA pre-commit hooks on every file (ruff, ruff-format, pylint-odoo with the
# 19.0 mandatory checks, prettier for XML, whitespace checks). Non-zero on any finding.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/setup.sh" >/dev/null
cd "$ROOT"
exec "$ROOT/.venv/bin/pre-commit" run --all-files --show-diff-on-failure --color=never
