# The README's commands. Each does the whole set-up first (idempotent).
.PHONY: demo test lint

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

lint:
	@bash scripts/lint.sh
