# The README's commands. Each does the whole set-up first (idempotent).
.PHONY: demo test lint peer-test bench screenshots i18n dist readme

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

lint:
	@bash scripts/lint.sh

# not part of make test: the dependencies' own suites, with and without kam_management
peer-test:
	@bash scripts/peer_test.sh

# not part of make test: generated data set, timings and query counts -> bench/RESULTS.md
bench:
	@bash scripts/bench.sh $(ARGS)

# not part of make test: each demo role's main screens, desktop and phone, served from
# kam_demo on a spare port -> docs/screenshots/ (the Apps page's few: the add-on's static/description/)
screenshots:
	@bash scripts/screenshots.sh $(ARGS)

# after make test: refresh i18n/kam_management.pot from the test database and merge it into
# the translations (i18n/ru.po), listing what is left to translate
i18n:
	@bash scripts/i18n.sh

# the add-on as an OCA-style wheel: dist/odoo_addon_kam_management-<version>-py3-none-any.whl
dist:
	@bash scripts/dist.sh

# kam_management/README.rst from kam_management/readme/*.md (make test checks it is current)
readme:
	@.venv/bin/python scripts/gen_readme.py
