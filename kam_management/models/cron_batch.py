"""Daily crons go through their records a batch at a time and commit their progress,
so that a large database neither holds one long transaction nor loses the work done
when the cron's time is up (ir.cron runs the method again while work remains).

Several workers: ir.cron locks a job's row while it runs, so one cron record never
runs twice at once (by hand either: "already executing"); but a second cron record on
the same method, or a user's action on the same records, still overlap. Odoo's
cursors are REPEATABLE READ: a run only sees what was committed before its
transaction's first query. Hence each batch starts a new transaction, locks its
records (skipping those another run holds) and reads them again after the lock, the
way Odoo's own crons do (account's ``_autopost_draft_entries``); and the crons that
create rows from what they read take ``single_run``'s lock first."""

import hashlib
import logging
from contextlib import contextmanager

from odoo import fields

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def process_in_batches(model, domain, process, batch_size=BATCH_SIZE):
    """Call ``process(records)`` on the records of ``domain``, a batch at a time.

    ``process`` must take the records out of the domain (a new state, a flag set);
    a batch met twice stops the loop rather than repeating it forever. Records that
    another transaction holds are left to it; the others are locked and read again
    in a new transaction (one that sees what another run committed), so that two
    overlapping runs never process a record twice."""
    cron = model.env["ir.cron"]
    done = busy = model.browse()
    while True:
        batch = model.search(domain, limit=batch_size)
        if not batch:
            return
        if batch & busy:
            return  # another run holds them: it goes on with them
        if batch & done:
            _logger.warning(
                "%s: %s records stayed in the cron's domain after processing",
                model._name,
                len(batch & done),
            )
            return
        # a new transaction (a snapshot taken after the lock, see above)
        cron._commit_progress()
        locked = batch.try_lock_for_update(allow_referencing=True)
        busy |= batch - locked
        locked.invalidate_recordset()
        locked = locked.filtered_domain(domain)
        if locked:
            process(locked)
        done |= locked
        remaining = model.search_count(domain)
        if cron._commit_progress(len(locked), remaining=remaining) <= 0:
            return  # out of time: the cron runs again for the rest


def run_lock_key(name):
    """The PostgreSQL advisory lock key of ``single_run(env, name)``."""
    digest = hashlib.sha256(f"kam_management.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def single_run(env, name):
    """Yield True when this transaction's run of ``name`` is the only one in the
    database (a PostgreSQL session lock, across workers and cron records), False
    when another run holds it (the caller then does nothing: the other run does
    the work). Holding the lock, the run starts a new transaction, so it reads
    everything the previous run committed; it commits before letting go (on an
    error: rolls back), so the next run reads this one's work."""
    key = run_lock_key(name)
    cr = env.cr
    cr.execute("SELECT pg_try_advisory_lock(%s)", [key])
    if not cr.fetchone()[0]:
        _logger.info("%s is running in another transaction: skipped", name)
        yield False
        return
    commit = env["ir.cron"]._commit_progress  # commits (in a cron: its progress too)
    failed = True
    try:
        commit()
        yield True
        failed = False
    finally:
        if failed:
            cr.rollback()
        else:
            commit()
        cr.execute("SELECT pg_advisory_unlock(%s)", [key])


def process_per_company(model, domain, company_domain, process):
    """``process_in_batches`` for each company that has records in ``domain``, with
    ``company_domain(company)`` added: for crons whose dates depend on a company
    setting (reminder days, grace days)."""
    for (company,) in model._read_group(domain, ["company_id"]):
        process_in_batches(
            model,
            [("company_id", "=", company.id), *domain, *company_domain(company)],
            process,
        )


def schedule_todos(records, summary, user, note, deadline=None):
    """One to-do per record, created in one call (activity_schedule would take
    one call per record when each has its own user or text): ``user``, ``note``
    and ``deadline`` are functions of the record (no deadline: today)."""
    if not records:
        return records.env["mail.activity"]
    todo = records.env.ref("mail.mail_activity_data_todo")
    model_id = records.env["ir.model"]._get_id(records._name)
    today = fields.Date.context_today(records)
    return records.env["mail.activity"].create(
        [
            {
                "activity_type_id": todo.id,
                "automated": True,
                "summary": summary,
                "note": note(record),
                "date_deadline": deadline(record) if deadline else today,
                "user_id": user(record).id,
                "res_model_id": model_id,
                "res_id": record.id,
            }
            for record in records
        ]
    )
