"""Apps-ready: the README generated from readme/, the Apps page, the wheel of make dist
installed from a fresh venv into a fresh database."""

import ast
import configparser
import importlib.util
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
import zipfile
from email.parser import HeaderParser

import docutils.core
from lxml import html

from odoo import release
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = ROOT / "kam_management"
DESCRIPTION = ADDON / "static" / "description"
# what the Apps page's images may weigh in the add-on (and its wheel)
IMAGES_BUDGET = 1_000_000


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


@tagged("post_install", "-at_install", "kam")
class TestReadme(TransactionCase):
    def test_readme_is_generated_from_the_fragments(self):
        gen = load_script("gen_readme")
        readme = (ADDON / "README.rst").read_text(encoding="utf-8")
        self.assertEqual(
            readme,
            gen.generate(),
            "README.rst is not what readme/*.md generate: run make readme",
        )
        for fragment in (
            "DESCRIPTION",
            "USAGE",
            "CONFIGURE",
            "CONTRIBUTORS",
            "ROADMAP",
        ):
            self.assertTrue((ADDON / "readme" / f"{fragment}.md").read_text().strip())
        # OCA's layout: title, description, contents, then the sections in order
        titles = [
            "Key Account Management",
            "**Table of contents**",
            "Configuration",
            "Usage",
            "Known issues / Roadmap",
            "Credits",
            "Authors",
            "Contributors",
            "Maintainers",
        ]
        positions = [readme.index(f"\n{title}\n") for title in titles]
        self.assertEqual(positions, sorted(positions))
        self.assertIn(
            "``kam.revenue.report``", readme, "code spans become RST literals"
        )

    def test_a_changed_fragment_changes_the_readme(self):
        gen = load_script("gen_readme")
        with tempfile.TemporaryDirectory() as tmp:
            copy = pathlib.Path(tmp) / "kam_management"
            copy.mkdir()
            shutil.copy(ADDON / "__manifest__.py", copy)
            shutil.copytree(ADDON / "readme", copy / "readme")
            usage = copy / "readme" / "USAGE.md"
            usage.write_text(
                usage.read_text() + "\n## New screen\n\n- See [it](https://x.org).\n"
            )
            generated = gen.generate(copy)
        self.assertNotEqual(generated, gen.generate())
        self.assertIn(
            "New screen\n----------\n\n- See `it <https://x.org>`__.", generated
        )

    def test_readme_renders_without_warnings(self):
        warnings = io.StringIO()
        docutils.core.publish_doctree(
            (ADDON / "README.rst").read_text(encoding="utf-8"),
            settings_overrides={"report_level": 2, "warning_stream": warnings},
        )
        self.assertEqual(warnings.getvalue(), "")


@tagged("post_install", "-at_install", "kam")
class TestAppsPage(TransactionCase):
    def test_apps_page_images(self):
        page = (DESCRIPTION / "index.html").read_text(encoding="utf-8")
        tree = html.fromstring(page)
        self.assertFalse(tree.xpath("//script"), "no scripts on an Apps page")
        self.assertFalse(
            [
                e.get("href")
                for e in tree.xpath("//link | //style")
                if e.get("href") or e.tag == "style"
            ],
            "no external or inline style sheets: the store's Bootstrap only",
        )
        sources = tree.xpath("//img/@src")
        self.assertGreaterEqual(len(sources), 10)
        for src in sources:
            self.assertFalse(src.startswith(("http", "/")), src)
            self.assertTrue((DESCRIPTION / src).is_file(), f"{src} is missing")
            self.assertTrue(tree.xpath(f'//img[@src="{src}"]/@alt'), src)
        # the add-on carries the page's screenshots and nothing else
        shots = {
            f"screenshots/{p.name}" for p in (DESCRIPTION / "screenshots").iterdir()
        }
        self.assertEqual(shots, set(sources))
        self.assertEqual(
            {f"screenshots/{name}" for name in load_script("screenshots").APPS}, shots
        )
        size = sum((DESCRIPTION / src).stat().st_size for src in shots)
        self.assertLess(size, IMAGES_BUDGET)
        for role in ("key account manager", "head of sales", "sales support"):
            self.assertIn(role, page.lower())

    def test_manifest_apps_keys(self):
        info = manifest()
        for key in ("summary", "author", "website", "maintainers", "images"):
            self.assertTrue(info.get(key), key)
        self.assertEqual(info["license"], "AGPL-3")
        for image in info["images"]:
            self.assertTrue((ADDON / image).is_file(), image)

    def test_odoo_shows_the_page_with_its_screenshots(self):
        """Odoo's Apps form reads the page (sanitized) and serves the images."""
        module = self.env.ref("base.module_kam_management")
        description = html.fromstring(module.description_html)
        sources = description.xpath("//img/@src")
        self.assertIn(
            "/kam_management/static/description/screenshots/anna-key-accounts-phone.png",
            sources,
        )
        for src in sources:
            path = ADDON.parent / src.lstrip("/")
            self.assertTrue(path.is_file(), src)
        self.assertIn("For the head of sales", module.description_html)


@tagged("post_install", "-at_install", "kam")
class TestWheel(TransactionCase):
    """make dist's wheel, installed (without its dependencies) into a fresh venv that
    sees Odoo and its Python requirements only, installs into a fresh database copied
    from the dependencies' template, from the venv's copy, not from the repository."""

    def _run(self, *cmd, output="stdout", **kw):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        result = subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=False, **kw
        )
        self.assertEqual(
            result.returncode,
            0,
            "\n".join(
                (" ".join(map(str, cmd)), result.stdout[-3000:], result.stderr[-3000:])
            ),
        )
        return getattr(result, output)

    def _db(self, function, *args):
        """A helper of scripts/common.sh (ensure_template, copy_db, drop_db)."""
        quoted = " ".join(f"'{arg}'" for arg in args)
        script = f"source scripts/common.sh >/dev/null && {function} {quoted}"
        return self._run("bash", "-c", script, cwd=ROOT).strip()

    def test_wheel_installs_from_a_fresh_venv(self):
        started = time.monotonic()
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="kam_wheel_"))
        self.addCleanup(shutil.rmtree, tmp, True)
        wheel = pathlib.Path(
            self._run("bash", str(ROOT / "scripts" / "dist.sh"), str(tmp / "dist"))
            .strip()
            .splitlines()[-1]
        )
        info = manifest()
        self.assertRegex(
            wheel.name,
            rf"^odoo_addon_kam_management-{re.escape(info['version'])}"
            r"(\.\d+)?-py3-none-any\.whl$",
        )
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            dist_info = next(n for n in names if n.endswith(".dist-info/METADATA"))
            metadata = HeaderParser().parsestr(archive.read(dist_info).decode())
            prefix = "odoo/addons/kam_management/"
            for needed in (
                "__manifest__.py",
                "README.rst",
                "readme/DESCRIPTION.md",
                "static/description/index.html",
                "security/ir.model.access.csv",
                "i18n/ru.po",
                "i18n/kam_management.pot",
                # the tours' assets (web.assets_tests) travel with the add-on
                "static/tests/tours/kam_tours.js",
            ):
                self.assertIn(prefix + needed, names)
            self.assertNotIn(prefix + "pyproject.toml", names)
            # the pytest suite stays in the repository
            self.assertFalse(
                [
                    n
                    for n in names
                    if "__pycache__" in n or n.startswith(prefix + "tests/")
                ]
            )
        self.assertEqual(metadata["Name"], "odoo-addon-kam_management")
        self.assertEqual(metadata["License"], "AGPL-3")
        requires = set(metadata.get_all("Requires-Dist"))
        for oca in (
            "sale_financial_risk",
            "sale_tier_validation",
            "account_credit_control",
            "sale_order_product_recommendation",
        ):
            self.assertIn(f"odoo-addon-{oca}==19.0.*", requires)
        self.assertIn("odoo==19.0.*", requires)
        # Odoo's own modules (sale_stock, spreadsheet_dashboard...) are not wheels
        self.assertFalse(
            [r for r in requires if "sale_stock" in r or "spreadsheet" in r]
        )

        # a fresh venv: the wheel, and Odoo's requirements and the OCA wheels of the
        # project's venv through a .pth (never the repository)
        fresh = tmp / "venv"
        venv.create(fresh, with_pip=False)
        fresh_python = fresh / "bin" / "python"
        fresh_site = pathlib.Path(
            self._run(
                str(fresh_python),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ).strip()
        )
        project_site = sysconfig.get_paths()["purelib"]
        (fresh_site / "project_venv.pth").write_text(project_site + "\n")
        self._run(
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(fresh_python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        )
        installed = fresh_site / "odoo" / "addons" / "kam_management"
        self.assertTrue((installed / "__manifest__.py").is_file())

        # a fresh database from the dependencies' template; addons path: Odoo's only
        name = f"{self.env.cr.dbname}_wheel"
        template = self._db("ensure_template", "nodemo").splitlines()[-1]
        self.assertTrue(template.startswith("kam_tmpl_nodemo_"), template)
        self._db("copy_db", template, name)
        self.addCleanup(self._db, "drop_db", name)
        odoo_src = pathlib.Path(release.__file__).resolve().parent.parent
        conf = configparser.ConfigParser()
        options = {
            "addons_path": f"{odoo_src}/odoo/addons,{odoo_src}/addons",
            "data_dir": config["data_dir"],
        }
        for key in ("db_user", "db_host", "db_port"):
            if config[key]:
                options[key] = str(config[key])
        conf["options"] = options
        conf_path = tmp / "odoo.conf"
        with conf_path.open("w") as conf_file:
            conf.write(conf_file)
        self.assertNotIn(str(ROOT), conf["options"]["addons_path"])
        log = self._run(
            str(fresh_python),
            str(odoo_src / "odoo-bin"),
            "-c",
            str(conf_path),
            "-d",
            name,
            "-i",
            "kam_management",
            "--stop-after-init",
            "--log-level=warn",
            cwd=tmp,
            output="stderr",
        )
        self.assertNotRegex(log, r" (ERROR|CRITICAL) ", "the install logged errors")
        # where that Odoo loads the add-on from, and what the database says
        probe = f"""
import json, odoo
from odoo.tools import config
from odoo.modules.module import Manifest, initialize_sys_path
from odoo.sql_db import db_connect
config.parse_config(["-c", {str(conf_path)!r}])
initialize_sys_path()
import odoo.addons.kam_management as addon
with db_connect({name!r}).cursor() as cr:
    cr.execute("SELECT state, latest_version FROM ir_module_module WHERE name = %s",
               ["kam_management"])
    state, version = cr.fetchone()
print(json.dumps({{"manifest": Manifest.for_addon("kam_management").path,
                  "package": addon.__file__, "state": state, "version": version}}))
"""
        found = json.loads(self._probe(fresh_python, probe, odoo_src, tmp))
        self.assertEqual(found["state"], "installed")
        self.assertEqual(found["version"], info["version"])
        for path in (found["manifest"], found["package"]):
            self.assertTrue(path.startswith(str(installed)), path)
            self.assertNotIn(str(ROOT), path)
        # the time this test adds to make test, in the log of the run
        print(
            f"wheel built, installed and loaded in {time.monotonic() - started:.0f} s"
        )

    def _probe(self, python, code, odoo_src, cwd):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = str(odoo_src)  # odoo-bin puts its own directory first
        result = subprocess.run(
            [str(python), "-c", code],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        return result.stdout.splitlines()[-1]
