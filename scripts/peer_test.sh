#!/usr/bin/env bash
# make peer-test: do the test suites of the dependencies still pass with kam_management
# installed? Two fresh databases from the dependency template (no demo): the baseline with the
# dependencies only, and one with kam_management installed too. The same odoo-bin --test-tags
# run in each (at_install tests while the registry loads, so before kam_management's code, as
# at install; post_install tests after, with it), then a markdown table of failures+errors
# per module. Non-zero when a test fails or errors with kam_management but not in the
# baseline (the baseline is measured, never hard-coded).
# Not part of `make test`. Logs and the table in .state/peer_*.
set -euo pipefail
source "$(dirname "$0")/common.sh"
PEER_MODULES=${KAM_PEER_MODULES:-base_tier_validation,sale_tier_validation,account_financial_risk,sale_financial_risk,sale,sale_stock,account_credit_control,sale_loyalty,sale_order_product_recommendation}
PEER_DB=${KAM_PEER_DB:-kam_peer}
BASE_DB=${PEER_DB}_base
KAM_DB=${PEER_DB}_kam
JOBS=${KAM_PEER_JOBS:-2}  # 2: both suites at once (one process each); 1: one after the other
start=$(date +%s)

# an unused TCP port: test runs start Odoo's HTTP server (HttpCase), two runs must not collide
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Run the suites in database $1 (the same command for both); odoo-bin exits non-zero when a
# test fails, so its status is not checked here: the report checks the log is complete.
run_suites() {
    local db=$1 t0 tags
    tags=$(echo "$PEER_MODULES" | sed 's/^/\//; s/,/,\//g')
    t0=$(date +%s)
    rm -f "$ROOT/.state/peer_$db.log"
    odoo -d "$db" --db-filter="^$db\$" --http-port="$(free_port)" --test-tags="$tags" \
        --stop-after-init --log-level=info --logfile="$ROOT/.state/peer_$db.log" || true
    echo "[peer-test] $db: suites ran in $(( $(date +%s) - t0 )) s"
}

tmpl=$(ensure_template nodemo)
echo "[peer-test] suites: $PEER_MODULES"
copy_db "$tmpl" "$BASE_DB"
copy_db "$tmpl" "$KAM_DB"

base_pid=
if [ "$JOBS" -gt 1 ]; then
    echo "[peer-test] baseline: running the suites in $BASE_DB (in the background)"
    run_suites "$BASE_DB" &
    base_pid=$!
fi

echo "[peer-test] installing kam_management in $KAM_DB"
t0=$(date +%s)
if ! odoo_checked "$ROOT/.state/peer_install_$KAM_DB.log" -d "$KAM_DB" -i kam_management \
        --stop-after-init --log-level=warn; then
    if [ -n "$base_pid" ]; then  # stop the baseline run (its odoo-bin, then its subshell)
        pkill -P "$base_pid" || true
        kill "$base_pid" 2>/dev/null || true
    fi
    exit 1
fi
echo "[peer-test] $KAM_DB: kam_management installed in $(( $(date +%s) - t0 )) s"
echo "[peer-test] with kam_management: running the suites in $KAM_DB"
run_suites "$KAM_DB"

if [ -n "$base_pid" ]; then
    wait "$base_pid"
else
    echo "[peer-test] baseline: running the suites in $BASE_DB"
    run_suites "$BASE_DB"
fi

set +e
"$PY" - "$PEER_MODULES" "$ROOT/.state/peer_$BASE_DB.log" "$ROOT/.state/peer_$KAM_DB.log" \
    "$ROOT/.state/peer_test.md" <<'PYEOF'
"""Compare the test results of two odoo-bin logs: 0 = no new failure, 1 = new failures,
2 = a run is incomplete or the two runs did not run the same tests."""
import re
import sys
from collections import Counter, defaultdict

modules, base_log, kam_log, out = sys.argv[1].split(","), *sys.argv[2:]
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): (.*)$")
MODULE = re.compile(r"odoo\.addons\.(\w+)\.tests\b")
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")


def parse(path):
    tests, bad, failing, summary = Counter(), Counter(), defaultdict(set), None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue  # traceback lines
            level, logger, msg = m.groups()
            mod = MODULE.match(logger) or MODULE.search(msg)
            mod = mod.group(1) if mod else "(unknown)"
            # test methods only: other add-ons log "Starting ..." too (partner_autocomplete)
            if level == "INFO" and msg.startswith("Starting ") and MODULE.match(logger):
                tests[mod] += 1
            elif level == "ERROR" and re.match(r"(FAIL|ERROR): ", msg):
                bad[mod] += 1
                failing[mod].add(msg.split(": ", 1)[1].strip())
            elif SUMMARY.search(msg):
                summary = [int(n) for n in SUMMARY.search(msg).groups()]
    return tests, bad, failing, summary


base, kam = parse(base_log), parse(kam_log)
problems = []
for name, log, (tests, bad, _failing, summary) in (
    ("baseline", base_log, base),
    ("with kam_management", kam_log, kam),
):
    if summary is None:
        problems.append(f"{name}: the run did not finish (no test summary in {log})")
    elif summary[0] + summary[1] != sum(bad.values()) or summary[2] != sum(tests.values()):
        problems.append(f"{name}: the log's summary {summary} does not match the parsed tests")
for mod in modules:
    if not base[0][mod] or base[0][mod] != kam[0][mod]:
        problems.append(f"{mod}: {base[0][mod]} tests in the baseline, {kam[0][mod]} with kam_management")

others = sorted((set(base[1]) | set(kam[1])) - set(modules))  # e.g. "(unknown)"
rows = modules + others
new_any = False
lines = [
    "| module | tests | baseline failures+errors | with kam_management | new failures |",
    "| --- | ---: | ---: | ---: | --- |",
]
for mod in rows:
    new = sorted(kam[2][mod] - base[2][mod])
    if new or kam[1][mod] > base[1][mod]:
        new_any = True
    shown = "<br>".join(f"`{t}`" for t in new) or ("(more of the same)" if kam[1][mod] > base[1][mod] else "none")
    lines.append(f"| {mod} | {kam[0][mod]} | {base[1][mod]} | {kam[1][mod]} | {shown} |")
known = [f"`{mod}: {t}`" for mod in rows for t in sorted(base[2][mod])]
if known:
    lines += ["", "Failing without kam_management too: " + ", ".join(known)]
table = "\n".join(lines)
with open(out, "w", encoding="utf-8") as f:
    f.write(table + "\n")
print(table)
for p in problems:
    print(f"[peer-test] {p}", file=sys.stderr)
sys.exit(2 if problems else 1 if new_any else 0)
PYEOF
rc=$?
set -e
echo "[peer-test] table in .state/peer_test.md, logs in .state/peer_$BASE_DB.log and .state/peer_$KAM_DB.log"
case $rc in
    0) echo "[peer-test] no new failure with kam_management"
       drop_db "$BASE_DB"; drop_db "$KAM_DB" ;;
    1) echo "[peer-test] tests fail with kam_management that pass without it" >&2 ;;
    *) echo "[peer-test] the runs are not comparable (see above)" >&2 ;;
esac
echo "[peer-test] make peer-test took $(( $(date +%s) - start )) s"
exit $rc
