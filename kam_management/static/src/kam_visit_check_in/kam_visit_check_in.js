import {Component, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {getKamPosition} from "./kam_position";

/**
 * Check-in / check-out of a visit from the phone: reads the browser's position and
 * calls kam.visit.action_check_in(latitude, longitude). Without a position (desktop,
 * refused permission, no HTTPS) it checks in all the same, without coordinates.
 */
export class KamVisitCheckIn extends Component {
    static template = "kam_management.KamVisitCheckIn";
    static props = {...standardWidgetProps};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.action = useService("action");
        this.state = useState({busy: false});
    }

    get checkedIn() {
        return Boolean(this.props.record.data.check_in);
    }

    async onClick(ev) {
        ev.stopPropagation();
        const record = this.props.record;
        this.state.busy = true;
        try {
            if (record.isDirty) {
                await record.save();
            }
            const coords = await getKamPosition();
            const method = this.checkedIn ? "action_check_out" : "action_check_in";
            const result = await this.orm.call("kam.visit", method, [[record.resId]], {
                latitude: coords ? coords.latitude : null,
                longitude: coords ? coords.longitude : null,
            });
            if (!coords) {
                this.notification.add(_t("Done without your position."), {
                    type: "warning",
                });
            }
            await record.load();
            if (result && result.type) {
                // e.g. the warning about merchandising tasks still open
                await this.action.doAction(result);
            }
        } finally {
            this.state.busy = false;
        }
    }
}

export const kamVisitCheckIn = {
    component: KamVisitCheckIn,
    fieldDependencies: [
        {name: "check_in", type: "datetime"},
        {name: "check_out", type: "datetime"},
    ],
};

registry.category("view_widgets").add("kam_visit_check_in", kamVisitCheckIn);
