"""The add-on speaks Russian (issue 17): the .pot is what the code and data hold today,
every term has a Russian translation that keeps its placeholders and markup, and a
Russian-speaking user gets the menus, fields, views and messages in Russian."""

import io
import re
from datetime import datetime, time
from pathlib import Path

import polib

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.translate import trans_export

from .common import KamCommon

I18N = Path(__file__).resolve().parent.parent / "kam_management" / "i18n"
PLACEHOLDER = re.compile(r"%\([a-zA-Z_0-9]+\)[sdfr]|%[sdfr]|%%|\{[a-zA-Z_0-9]*\}")
MARKUP = re.compile(r"</?([a-zA-Z][a-zA-Z0-9_.-]*)")


def _entries(path_or_text):
    catalogue = polib.pofile(path_or_text)
    return {(entry.msgctxt, entry.msgid): entry for entry in catalogue if entry.msgid}


@tagged("post_install", "-at_install", "kam_i18n")
class TestKamTranslationFiles(KamCommon):
    def test_pot_is_current(self):
        buffer = io.BytesIO()
        trans_export(False, ["kam_management"], buffer, "po", self.env)
        exported = _entries(buffer.getvalue().decode())
        on_disk = _entries(str(I18N / "kam_management.pot"))
        new = sorted(msgid for _ctx, msgid in exported.keys() - on_disk.keys())
        gone = sorted(msgid for _ctx, msgid in on_disk.keys() - exported.keys())
        self.assertFalse(
            new or gone,
            "i18n/kam_management.pot is not current: re-export it (README, "
            f"Translations).\nNew terms: {new[:10]}\nTerms gone: {gone[:10]}",
        )
        # Python and JS terms are only used when the .pot says where they come from
        for key, entry in exported.items():
            self.assertEqual(
                set(entry.comment.split()) & {"odoo-python", "odoo-javascript"},
                set(on_disk[key].comment.split()) & {"odoo-python", "odoo-javascript"},
                key[1],
            )

    def test_russian_is_complete(self):
        pot = _entries(str(I18N / "kam_management.pot"))
        russian = _entries(str(I18N / "ru.po"))
        self.assertEqual(
            sorted(msgid for _ctx, msgid in pot.keys() - russian.keys()),
            [],
            "terms of the .pot missing from ru.po",
        )
        problems = []
        for key in pot:
            entry = russian[key]
            source, text = entry.msgid, entry.msgstr
            if not text.strip() or "fuzzy" in entry.flags:
                problems.append(f"untranslated: {source[:60]!r}")
            elif sorted(PLACEHOLDER.findall(source)) != sorted(
                PLACEHOLDER.findall(text)
            ):
                problems.append(f"placeholders differ: {source[:60]!r}")
            elif MARKUP.findall(source) != MARKUP.findall(text):
                problems.append(f"markup differs: {source[:60]!r}")
        self.assertEqual(problems, [])
        header = polib.pofile(str(I18N / "ru.po")).metadata
        self.assertEqual(header["Language"], "ru")
        self.assertIn("nplurals=3", header["Plural-Forms"])


@tagged("post_install", "-at_install", "kam_i18n")
class TestKamInRussian(KamCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(
            ["kam_management"], ["ru_RU"], overwrite=True
        )
        cls.kam_1.lang = "ru_RU"
        cls.ru = _entries(str(I18N / "ru.po"))

    def _ru(self, msgid):
        return self.ru[(None, msgid)].msgstr

    def test_menus_models_and_fields(self):
        env = self.env(user=self.kam_1, context={"lang": "ru_RU"})
        root = env.ref("kam_management.kam_menu_root")
        self.assertEqual(root.name, self._ru(root.with_context(lang="en_US").name))
        self.assertEqual(root.name, "Ключевые клиенты")
        plan_fields = env["kam.plan"].fields_get(["state", "user_id"])
        self.assertEqual(
            plan_fields["user_id"]["string"], self._ru("Key Account Manager")
        )
        self.assertNotEqual(plan_fields["user_id"]["string"], "Key Account Manager")
        states = dict(plan_fields["state"]["selection"])
        self.assertEqual(states["draft"], self._ru("Draft"))
        model = env["ir.model"]._get("kam.credit.check")
        self.assertRegex(model.name, "[А-Яа-яЁё]")

    def test_views_in_russian(self):
        env = self.env(user=self.kam_1, context={"lang": "ru_RU"})
        arch = env["kam.visit"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn(f'string="{self._ru("Purpose and Outcome")}"', arch)
        self.assertIn(f'string="{self._ru("Take Order")}"', arch)
        self.assertNotIn('string="Take Order"', arch)

    def test_messages_in_russian(self):
        start = datetime.combine(fields.Date.today(), time(9, 0))
        visit = (
            self.env["kam.visit"]
            .with_user(self.kam_1)
            .with_context(lang="ru_RU")
            .create(
                {
                    "partner_id": self.account_1.id,
                    "user_id": self.kam_1.id,
                    "date_start": start,
                }
            )
        )
        visit.action_check_in(48.0, 11.0)
        with self.assertRaises(UserError) as caught:
            visit.action_check_in(48.0, 11.0)
        expected = self._ru("%(visit)s was checked in already.") % {
            "visit": visit.display_name
        }
        self.assertEqual(str(caught.exception), expected)

    def test_review_prints_in_the_accounts_language(self):
        """An English-speaking KAM prints a Russian account's review in Russian."""
        self.kam_1.lang = "en_US"
        self.account_1.lang = "ru_RU"
        self.env["kam.visit"].with_user(self.kam_1).create(
            {
                "partner_id": self.account_1.id,
                "user_id": self.kam_1.id,
                "date_start": datetime.combine(fields.Date.today(), time(9, 0)),
            }
        )
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(self.kam_1)
            ._render_qweb_html(
                "kam_management.report_key_account_review", self.account_1.ids
            )
        )
        html = html.decode()
        self.assertIn(self._ru("Profile"), html)
        self.assertIn(f"{self._ru('Planned')}</span>: <span>1</span>", html)
        self.assertNotIn(">Planned<", html)
