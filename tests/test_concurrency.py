"""Two users confirm orders of the same key account at the same moment, in two real
transactions (two cursors, two threads): together they must not exceed its limit."""

import threading
import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "kam")
class TestConcurrentConfirmations(TransactionCase):
    """Runs on committed data (other cursors cannot see the test's transaction) and
    removes it afterwards."""

    def _committed(self, func):
        with self.registry.cursor() as cr:
            return func(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup_data(self, env):
        tag = uuid.uuid4().hex[:8]
        kams = env["res.users"].create(
            [
                {
                    "name": f"Concurrent KAM {i} {tag}",
                    "login": f"kam_concurrent_{i}_{tag}",
                    "group_ids": [
                        Command.set([env.ref("kam_management.group_kam_user").id])
                    ],
                }
                for i in (1, 2)
            ]
        )
        account = env["res.partner"].create(
            {
                "name": f"Concurrent Account {tag}",
                "is_company": True,
                "is_key_account": True,
                "kam_user_id": kams[0].id,
                "credit_limit": 1000.0,
                "risk_sale_order_include": True,
            }
        )
        product = env["product.product"].create(
            {"name": f"Concurrent Goods {tag}", "list_price": 600.0}
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": kam.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": 600.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for kam in kams
            ]
        )
        return kams.ids, account.id, product.id, orders.ids

    def _cleanup(self, kam_ids, account_id, product_id, order_ids):
        def clean(env):
            orders = env["sale.order"].browse(order_ids)
            orders.kam_reason_id = env.ref(
                "kam_management.kam_reason_cancellation_client"
            )
            orders._action_cancel()
            # the cancelled deliveries (sale_stock) hold the product
            pickings = orders.picking_ids
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            env["product.product"].browse(product_id).product_tmpl_id.unlink()
            env["res.users"].browse(kam_ids).write({"active": False})
            env["res.partner"].browse(account_id).write({"active": False})

        self._committed(clean)

    def test_two_transactions_cannot_together_exceed_the_limit(self):
        kam_ids, account_id, product_id, order_ids = self._committed(self._setup_data)
        self.addCleanup(self._cleanup, kam_ids, account_id, product_id, order_ids)
        barrier = threading.Barrier(2, timeout=30)
        results, attempts = {}, {}

        def confirm(uid, order_id):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                # the transaction's snapshot is taken here, before the other commits
                env["sale.order"].browse(order_id).read(["state"])
                barrier.wait()

                def call():
                    attempts[order_id] = attempts.get(order_id, 0) + 1
                    return env["sale.order"].browse(order_id).action_confirm()

                try:
                    retrying(call, env)
                    results[order_id] = "confirmed"
                except UserError as error:
                    cr.rollback()
                    results[order_id] = f"refused: {error}"

        threads = [
            threading.Thread(target=confirm, args=(uid, order_id))
            for uid, order_id in zip(kam_ids, order_ids, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(results), 2, results)
        states = self._committed(
            lambda env: env["sale.order"].browse(order_ids).mapped("state")
        )
        self.assertEqual(sorted(states), ["draft", "sale"], results)
        refused = [r for r in results.values() if r.startswith("refused")]
        self.assertEqual(len(refused), 1, results)
        self.assertIn("exceeds the financial risk", refused[0])
        # the second one waited for the first, failed to serialize, and was retried
        self.assertEqual(sorted(attempts.values()), [1, 2], attempts)
