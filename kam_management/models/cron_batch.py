"""Daily crons go through their records a batch at a time and commit their progress,
so that a large database neither holds one long transaction nor loses the work done
when the cron's time is up (ir.cron runs the method again while work remains)."""

import logging

from odoo import fields

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def process_in_batches(model, domain, process, batch_size=BATCH_SIZE):
    """Call ``process(records)`` on the records of ``domain``, a batch at a time.

    ``process`` must take the records out of the domain (a new state, a flag set);
    a batch met twice stops the loop rather than repeating it forever."""
    cron = model.env["ir.cron"]
    done = model.browse()
    while True:
        batch = model.search(domain, limit=batch_size)
        if not batch:
            return
        if batch & done:
            _logger.warning(
                "%s: %s records stayed in the cron's domain after processing",
                model._name,
                len(batch & done),
            )
            return
        process(batch)
        done |= batch
        remaining = model.search_count(domain)
        if cron._commit_progress(len(batch), remaining=remaining) <= 0:
            return  # out of time: the cron runs again for the rest


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
