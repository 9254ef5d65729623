#!/usr/bin/env bash
# make i18n: export kam_management's terms to i18n/kam_management.pot from the test
# database (run make test first: it installs the add-on there), merge them into every
# i18n/<lang>.po (translations kept, new terms empty, gone terms dropped) and list
# what is left to translate. The tests fail while the .pot is stale or a term is untranslated.
set -euo pipefail
source "$(dirname "$0")/common.sh"
DB=${KAM_TEST_DB:-kam_test}
I18N="$ROOT/kam_management/i18n"
db_exists "$DB" || { echo "no database $DB: run make test first" >&2; exit 2; }
"$PY" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$DB" -o "$I18N/kam_management.pot" kam_management
for po in "$I18N"/*.po; do
    msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$I18N/kam_management.pot"
    msgattrib --no-obsolete --output-file="$po" "$po"
    echo "$(basename "$po"): $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
done
