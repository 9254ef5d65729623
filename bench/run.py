"""make bench: generate the data set in a database with kam_management installed,
measure, print the table and write it to bench/RESULTS.md.

    python bench/run.py -c .odoo.conf -d kam_bench [--kams 50 --accounts 1000 ...]
"""

import argparse
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import config  # noqa: E402

from bench.generate import generate  # noqa: E402
from bench.measure import markdown, measure, stamp  # noqa: E402

DEFAULTS = {
    "kams": 50,
    "accounts": 1000,
    "others": 5000,
    "lines": 200_000,
    "orders": None,
    "visits": 20_000,
    "months": 24,
    "orm_lines": 10_000,
    "orm_orders": 250,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    odoo.tools.config["log_level"] = "warn"
    registry = Registry(args.database)
    sizes = {name: getattr(args, name) for name in DEFAULTS}
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        data, rates = generate(env, commit=True, **sizes)
        generated = time.perf_counter() - started
        rows = measure(env, data, runs=args.runs, commit=True)
        cr.commit()
    table = markdown(rows)
    rate_lines = "\n".join(
        f"| {step} | {count} | {seconds:.1f} s | {count / seconds:.0f}/s |"
        for step, (count, seconds) in rates.items()
        if seconds
    )
    size_text = ", ".join(f"{k} {v}" for k, v in sizes.items() if v is not None)
    report = f"""# kam_management benchmark

`make bench` on {platform.node()} ({stamp()}), sizes: {size_text}.
Generation {generated:.0f} s, whole run {time.perf_counter() - started:.0f} s.

{table}
Generator rates (ORM in batches of 200 moves, then SQL copies; 2 cores):

| step | records | time | rate |
| --- | --- | --- | --- |
{rate_lines}
"""
    print(table)
    pathlib.Path(args.output).write_text(report)
    print(f"[bench] written to {args.output}")
    return 0 if all(row["met"] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
