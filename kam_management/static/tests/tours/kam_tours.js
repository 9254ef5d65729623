import {inputFiles} from "@web/../tests/utils";
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";
import tourUtils from "@sale/js/tours/tour_utils";

/**
 * The key account day in a real browser (tests/test_kam_tours.py creates the data
 * and checks the records afterwards): a KAM on a phone checks in, completes a
 * merchandising checklist with a photo and takes an order; sales support confirms
 * it; a head of sales reads the plan analysis and the dashboard.
 */

// a 1x1 red PNG: the photo the KAM takes of the shelf
const PHOTO_PNG =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function photoFile() {
    const bytes = Uint8Array.from(atob(PHOTO_PNG), (char) => char.charCodeAt(0));
    return new File([bytes], "shelf.png", {type: "image/png"});
}

registry.category("web_tour.tours").add("kam_tour_kam_phone_visit", {
    steps: () => [
        {
            content: "Today: the visit to the account, with its check-in button",
            trigger:
                ".o_kanban_view .o_kanban_record:contains('Tour Market'):has(.o_kam_visit_check_in)",
        },
        {
            content: "Open the visit",
            trigger: ".o_kanban_record:contains('Tour Market')",
            run: "click",
        },
        {
            content: "Check in at the client: the phone's position goes with it",
            trigger: ".o_form_view .o_kam_visit_check_in:contains('Check in')",
            run: "click",
        },
        {
            content: "Checked in: the button now checks out",
            trigger: ".o_form_view .o_kam_visit_check_in:contains('Check out')",
        },
        {
            content: "The check-in's page",
            trigger: ".o_notebook .nav-link:contains('Check-in')",
            run: "click",
        },
        {
            content: "The position the phone gave is on the visit",
            trigger: ".o_field_widget[name=check_in_latitude]:contains('48.857')",
        },
        {
            content: "Its longitude",
            trigger: ".o_field_widget[name=check_in_longitude]:contains('2.3524')",
        },
        {
            content: "The merchandising page",
            trigger: ".o_notebook .nav-link:contains('Merchandising')",
            run: "click",
        },
        {
            content: "The checklist due on this visit, to do",
            trigger:
                ".o_field_widget[name=merchandising_task_ids] .o_data_row:contains('Promo Check'):contains('To Do')",
        },
        // a phone folds the smart buttons into a menu
        stepUtils.autoExpandMoreButtons(true),
        {
            content: "The visit's merchandising tasks",
            trigger:
                "button[name=action_view_merchandising_tasks]:contains('Tasks to Do')",
            run: "click",
        },
        {
            content: "Open the checklist",
            trigger: ".o_kanban_view .o_kanban_record:contains('Promo Check')",
            run: "click",
        },
        {
            content: "The checklist's item",
            trigger:
                ".o_field_widget[name=line_ids] .o_kanban_record:contains('Promo display')",
            run: "click",
        },
        {
            content: "The item is in place",
            trigger: ".modal .o_field_widget[name=result] input[data-value=ok]",
            run: "click",
        },
        {
            content: "Take the photo of the display",
            trigger: ".modal .o_field_widget[name=photo]",
            async run() {
                await inputFiles(
                    ".modal .o_field_widget[name=photo] input[type=file]",
                    [photoFile()]
                );
            },
        },
        {
            content: "The photo is there",
            trigger:
                ".modal .o_field_widget[name=photo] img[src*='blob'], .modal .o_field_widget[name=photo] img[src^='data:']",
        },
        {
            content: "Save the item",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The item is answered, with its photo",
            trigger:
                ".o_field_widget[name=line_ids] .o_kanban_record:contains('Promo display'):has(.o_field_widget[name=photo] img)",
        },
        {
            content: "The checklist is done",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_done]",
            run: "click",
        },
        {
            content: "Done",
            trigger:
                ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains('Done'), .o_form_view .o_field_widget[name=state] .dropdown-toggle:contains('Done')",
        },
        {
            content: "Back to the visit's tasks",
            trigger: ".o_back_button",
            run: "click",
        },
        {
            content: "The visit's checklist is done",
            trigger:
                ".o_kanban_view .o_kanban_record:contains('Promo Check'):contains('Done')",
        },
        {
            content: "Back to the visit",
            trigger: ".o_back_button",
            run: "click",
        },
        {
            content: "The visit again",
            trigger: ".o_form_view .o_kam_visit_check_in:contains('Check out')",
        },
        {
            content: "Take the order",
            trigger: ".o_form_view button[name=action_take_order]",
            run: "click",
        },
        {
            content: "A quotation for the account",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id] input:value('Tour Market')",
        },
        {
            content: "A quotation, saved for sales support to enter",
            trigger:
                ".o_form_view .o_field_widget[name=state] .dropdown-toggle:contains('Quotation'), .o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains('Quotation')",
        },
    ],
});

registry.category("web_tour.tours").add("kam_tour_support_confirm", {
    steps: () => [
        {
            content: "Orders to enter: the quotation the KAM took",
            trigger:
                ".o_list_view .o_data_row:contains('Tour Market') td[name=partner_id]",
            run: "click",
        },
        ...tourUtils.addProduct("Tour Coffee"),
        {
            content: "The line's price",
            trigger: ".o_field_widget[name=tax_totals]:contains('12.00')",
        },
        {
            content: "Confirm the order",
            trigger: ".o_statusbar_buttons button[name=action_confirm]:enabled",
            run: "click",
        },
        {
            content: "A sales order",
            trigger:
                ".o_field_widget[name=state] .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});

/**
 * The dashboard's scorecards are drawn on canvases: their figures are read from the
 * spreadsheet model the dashboard shows (the runtime the canvas is drawn from).
 */
function dashboardScorecards() {
    const nodes = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (nodes.length) {
        const node = nodes.pop();
        const model = node.component.env && node.component.env.model;
        if (model && model.getters && model.getters.getChartRuntime) {
            const getters = model.getters;
            const figures = {};
            for (const chartId of getters.getChartIds(getters.getActiveSheetId())) {
                const runtime = getters.getChartRuntime(chartId);
                if (runtime && runtime.title && "keyValue" in runtime) {
                    figures[runtime.title.text] = runtime.keyValue;
                }
            }
            return figures;
        }
        nodes.push(...Object.values(node.children));
    }
    return {};
}

registry.category("web_tour.tours").add("kam_tour_head_analysis", {
    steps: () => [
        ...stepUtils.goToAppSteps(
            "kam_management.kam_menu_root",
            "The Key Accounts app"
        ),
        {
            content: "Reporting",
            trigger: ".o_main_navbar .dropdown-toggle:contains('Reporting')",
            run: "click",
        },
        {
            content: "Plan Analysis",
            trigger: ".dropdown-item:contains('Plan Analysis')",
            run: "click",
        },
        {
            content: "The KAM's target and invoiced revenue",
            trigger:
                ".o_pivot tr:has(.o_pivot_header_cell_closed:contains('Tour KAM')):contains('12,000.00'):contains('1,500.00')",
        },
        {
            content: "The Key Accounts dashboard",
            trigger: ".o_main_navbar .dropdown-toggle:contains('Reporting')",
            run: "click",
        },
        {
            content: "Dashboard",
            trigger: ".dropdown-item:contains('Dashboard')",
            run: "click",
        },
        {
            content: "Its scorecards are drawn",
            trigger: ".o_spreadsheet_dashboard_action .o-figure canvas",
            run: "canvasNotEmpty",
        },
        {
            content: "The revenue of the last twelve months",
            trigger: ".o_spreadsheet_dashboard_action .o-figure canvas",
            async run() {
                // the pivots load after the dashboard shows: wait for the figure
                let figures = dashboardScorecards();
                for (
                    let tries = 0;
                    tries < 100 && !(figures.Revenue && figures.Overdue);
                    tries++
                ) {
                    await new Promise((resolve) => requestAnimationFrame(resolve));
                    figures = dashboardScorecards();
                }
                if (!(figures.Revenue || "").includes("1,500")) {
                    throw new Error(
                        `The dashboard's Revenue is not 1,500: ${JSON.stringify(figures)}`
                    );
                }
                // nothing is overdue: the head sees 0, not an empty figure
                if (!/^\D*0(\.00)?$/.test(figures.Overdue || "")) {
                    throw new Error(
                        `The dashboard's Overdue is not 0: ${JSON.stringify(figures)}`
                    );
                }
            },
        },
    ],
});
