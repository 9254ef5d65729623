#!/usr/bin/env python3
"""Write the Key Accounts spreadsheet dashboard (and its sample) as JSON.

    python3 scripts/build_dashboard.py

The files land in kam_management/data/files/; data/kam_dashboard_data.xml loads them.
The data comes from the models' record rules, computed as the viewing user: a head of
sales sees every account, a KAM their own. Edit this script, not the JSON (then
`bash scripts/lint.sh` formats the JSON with prettier).
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kam_management" / "data" / "files"
PERIOD = "4b6e1f2a-7c1d-4e0a-9f5b-kam0period01"
VERSION = "18.5.10"

# one date filter (the period) on the figures of a period; debts and health are as
# of today
MATCH = {
    "kam.revenue.report": {"chain": "date", "type": "date", "offset": 0},
    "kam.plan.report": {"chain": "date", "type": "date", "offset": 0},
    "kam.visit": {"chain": "date_start", "type": "datetime", "offset": 0},
}

STYLES = {
    "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
    "2": {"bold": True, "fontSize": 11, "textColor": "#434343"},
    "3": {"textColor": "#434343", "verticalAlign": "middle"},
}


def pivot(pid, name, model, rows, measures, domain=None, columns=None, sort=None):
    return {
        "type": "ODOO",
        "id": pid,
        "formulaId": pid,
        "name": name,
        "model": model,
        "domain": domain or [],
        "context": {},
        "rows": [{"fieldName": f} for f in rows],
        "columns": [{"fieldName": f} for f in columns or []],
        "measures": [
            {"id": m, "fieldName": m, "userDefinedName": label}
            if label
            else {"id": m, "fieldName": m}
            for m, label in measures
        ],
        "sortedColumn": sort and {"measure": sort, "order": "desc", "domain": []},
        "fieldMatching": {PERIOD: MATCH[model]} if model in MATCH else {},
    }


def link(label, model, view, domain, group_by, measure=None):
    """A title cell that opens the analysis behind the block."""
    context = {"group_by": group_by}
    if measure and view == "pivot":
        context.update(pivot_measures=[measure], pivot_row_groupby=group_by)
    if measure and view == "graph":
        context.update(graph_measure=measure, graph_groupbys=group_by)
    action = {
        "domain": domain,
        "context": context,
        "modelName": model,
        "views": [[False, view], [False, "search"]],
    }
    data = {"viewType": view, "action": action, "threshold": 0, "name": label}
    return f"[{label}](odoo://view/{json.dumps(data, separators=(',', ':'))})"


def zero_if_empty(expression):
    """A pivot's value, or 0 when the pivot has no row for it (PIVOT.VALUE is then
    empty): the viewer sees every row they may see, so nothing there means 0."""
    return f'=IF({expression}="",0,{expression})'


def scorecard(fid, title, key, x, color, humanize=False):
    return {
        "id": fid,
        "tag": "chart",
        "width": 200,
        "height": 101,
        "col": 0,
        "row": 0,
        "offset": {"x": x, "y": 11},
        "data": {
            "type": "scorecard",
            "chartId": fid,
            "title": {"text": title, "bold": True, "color": "#434343"},
            "keyValue": key,
            "background": color,
            "baselineMode": "text",
            "baselineColorDown": "#DC6965",
            "baselineColorUp": "#00A04A",
            "humanize": humanize,
        },
    }


def dashboard():
    at_risk = [
        ["is_key_account", "=", True],
        ["kam_figures_visible", "=", True],
        ["kam_health_at_risk", "=", True],
    ]
    open_visits = [["state", "!=", "cancelled"]]
    key_accounts = [["is_key_account", "=", True]]
    pivots = {
        "1": pivot(
            "1",
            "Revenue",
            "kam.revenue.report",
            [],
            [("amount", "Revenue")],
            domain=key_accounts,
        ),
        "2": pivot(
            "2",
            "Plan achievement by KAM",
            "kam.plan.report",
            ["user_id"],
            [
                ("target_amount", "Target"),
                ("actual_amount", "Invoiced"),
                ("achievement", "Achievement (%)"),
            ],
            domain=[["state", "in", ["approved", "closed"]]],
            sort="target_amount",
        ),
        "3": pivot(
            "3",
            "Overdue by KAM",
            "kam.aging.report",
            ["kam_user_id"],
            [("amount", "Open"), ("overdue_amount", "Overdue")],
            domain=[["is_key_account", "=", True]],
            sort="overdue_amount",
        ),
        "4": pivot(
            "4",
            "Visits by KAM",
            "kam.visit",
            ["user_id"],
            [("__count", "Visits")],
            domain=open_visits,
            columns=["state"],
        ),
        "5": pivot(
            "5",
            "Accounts at risk",
            "res.partner",
            [],
            [("__count", "Accounts")],
            domain=at_risk,
        ),
    }
    lists = {
        "1": {
            "id": "1",
            "name": "Accounts at risk",
            "model": "res.partner",
            "domain": at_risk,
            "columns": ["name", "kam_user_id", "kam_tier", "kam_health_score"],
            "orderBy": [{"name": "kam_health_score", "asc": True}],
            "context": {},
            "fieldMatching": {},
        }
    }
    data_cells = {
        "A1": '=_t("KPI")',
        "B1": '=_t("Value")',
        "A2": '=_t("Revenue")',
        "B2": '=PIVOT.VALUE(1,"amount")',
        "A3": '=_t("Target")',
        "B3": '=PIVOT.VALUE(2,"target_amount")',
        "A4": '=_t("Invoiced against target")',
        "B4": '=PIVOT.VALUE(2,"actual_amount")',
        "A5": '=_t("Plan achievement")',
        "B5": '=IFERROR(B4/B3,"")',
        "A6": '=_t("Overdue")',
        # no overdue line, no done visit, no account at risk: 0, not an empty cell
        "B6": zero_if_empty('PIVOT.VALUE(3,"overdue_amount")'),
        "A7": '=_t("Visits done")',
        "B7": zero_if_empty('PIVOT.VALUE(4,"__count","state","done")'),
        "A8": '=_t("Visits planned")',
        "B8": '=PIVOT.VALUE(4,"__count")',
        "A9": '=_t("Visits done vs planned")',
        "B9": '=IFERROR(B7/B8,"")',
        "A10": '=_t("Accounts at risk")',
        "B10": zero_if_empty('PIVOT.VALUE(5,"__count")'),
    }
    revenue_link = link(
        "Revenue by KAM and month",
        "kam.revenue.report",
        "graph",
        key_accounts,
        ["date:month", "kam_user_id"],
        "amount",
    )
    cells = {
        "A6": revenue_link,
        "A22": link(
            "Plan achievement by KAM",
            "kam.plan.report",
            "pivot",
            [],
            ["user_id"],
            "target_amount",
        ),
        "A23": "=PIVOT(2, 8)",
        "E22": link(
            "Overdue by KAM",
            "kam.aging.report",
            "pivot",
            [],
            ["kam_user_id"],
            "overdue_amount",
        ),
        "E23": "=PIVOT(3, 8)",
        "A36": link("Accounts at risk", "res.partner", "list", at_risk, []),
        "A37": '=ODOO.LIST.HEADER(1,"name")',
        "B37": '=ODOO.LIST.HEADER(1,"kam_user_id")',
        "C37": '=ODOO.LIST.HEADER(1,"kam_tier")',
        "D37": '=ODOO.LIST.HEADER(1,"kam_health_score")',
        "A50": link(
            "Visits done vs planned by KAM",
            "kam.visit",
            "pivot",
            open_visits,
            ["user_id"],
        ),
        "A51": "=PIVOT(4, 10)",
    }
    for row in range(1, 11):
        for col, field in zip("ABCD", lists["1"]["columns"], strict=True):
            cells[f"{col}{37 + row}"] = f'=ODOO.LIST(1,{row},"{field}")'
    chart_id = "kam-revenue-by-kam-month"
    figures = [
        scorecard("kam-kpi-revenue", "Revenue", "Data!B2", 0, "#EFF6FF", True),
        scorecard("kam-kpi-achievement", "Plan achievement", "Data!B5", 210, "#EFF6FF"),
        scorecard("kam-kpi-overdue", "Overdue", "Data!B6", 420, "#FFF7ED", True),
        scorecard(
            "kam-kpi-visits", "Visits done vs planned", "Data!B9", 630, "#EFF6FF"
        ),
        scorecard("kam-kpi-risk", "Accounts at risk", "Data!B10", 840, "#FEF2F2"),
        {
            "id": chart_id,
            "tag": "chart",
            "width": 1030,
            "height": 344,
            "col": 0,
            "row": 0,
            "offset": {"x": 0, "y": 155},
            "data": {
                "type": "odoo_bar",
                "chartId": chart_id,
                "title": {"text": ""},
                "background": "#FFFFFF",
                "legendPosition": "top",
                "metaData": {
                    "groupBy": ["date:month", "kam_user_id"],
                    "measure": "amount",
                    "order": None,
                    "resModel": "kam.revenue.report",
                    "mode": "bar",
                },
                "searchParams": {
                    "comparison": None,
                    "context": {},
                    "domain": key_accounts,
                    "groupBy": ["date:month", "kam_user_id"],
                    "orderBy": [],
                },
                "dataSets": [{}],
                "verticalAxisPosition": "left",
                "stacked": True,
                "axesDesign": {"y": {"title": {"text": "Revenue"}}},
                "fieldMatching": {PERIOD: MATCH["kam.revenue.report"]},
            },
        },
    ]
    titles = ["A6", "A22", "E22", "A36", "A50"]
    sheet = {
        "id": "kam_dashboard",
        "name": "Dashboard",
        "colNumber": 7,
        "rowNumber": 70,
        "rows": {"5": {"size": 40}},
        "cols": {
            "0": {"size": 220},
            "1": {"size": 120},
            "2": {"size": 120},
            "3": {"size": 120},
            "4": {"size": 220},
            "5": {"size": 120},
            "6": {"size": 120},
        },
        "merges": [],
        "cells": cells,
        "styles": {cell: 1 for cell in titles},
        "formats": {},
        "borders": {},
        "conditionalFormats": [],
        "dataValidationRules": [],
        "figures": figures,
        "tables": [],
        "areGridLinesVisible": False,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "comments": {},
    }
    data_sheet = {
        "id": "kam_dashboard_data",
        "name": "Data",
        "colNumber": 2,
        "rowNumber": 12,
        "cells": data_cells,
        "styles": {"A1:B1": 2},
        "formats": {"B5": 1, "B9": 1},
        "figures": [],
        "isVisible": True,
    }
    return {
        "version": VERSION,
        "sheets": [sheet, data_sheet],
        "styles": STYLES,
        "formats": {"1": "0.0%"},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": pivots,
        "pivotNextId": 6,
        "lists": lists,
        "listNextId": 2,
        "globalFilters": [
            {
                "id": PERIOD,
                "type": "date",
                "label": "Period",
                "defaultValue": "last_12_months",
            }
        ],
        # no menu references: the dashboard loads before the menus (the menus open it)
        "chartOdooMenusReferences": {},
    }


def sample():
    """What a user without key-account figures yet sees: the layout, no figures."""
    cells = {
        "A1": '=_t("Key Accounts")',
        "A3": '=_t("No key-account figures yet: the dashboard fills in with the '
        'invoiced revenue of your accounts.")',
    }
    return {
        "version": VERSION,
        "sheets": [
            {
                "id": "kam_dashboard",
                "name": "Dashboard",
                "colNumber": 7,
                "rowNumber": 10,
                "cells": cells,
                "styles": {"A1": 1},
                "figures": [],
            }
        ],
        "styles": {"1": STYLES["1"]},
        "revisionId": "START_REVISION",
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, doc in (
        ("kam_dashboard.json", dashboard()),
        ("kam_sample_dashboard.json", sample()),
    ):
        (OUT / name).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
