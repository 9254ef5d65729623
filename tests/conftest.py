import pytest


def pytest_collection_modifyitems(config, items):
    """pytest-odoo skips HttpCase tests (the browser tours) without --odoo-http:
    here a browser test that would not run fails the run instead."""
    if config.getoption("--odoo-http", default=False):
        return
    from odoo.tests import HttpCase  # noqa: PLC0415 (once Odoo is configured)

    tours = [
        item.nodeid
        for item in items
        if isinstance(getattr(item, "cls", None), type)
        and issubclass(item.cls, HttpCase)
    ]
    if tours:
        raise pytest.UsageError(
            "the browser tests need an HTTP server: run pytest with --odoo-http "
            "(make test does): " + ", ".join(tours)
        )
