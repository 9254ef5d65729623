import {Component, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {getKamPosition} from "./kam_position";

/**
 * "Here": the KAM at the client's door makes the phone's position the account's
 * location (res.partner.action_kam_set_location, which checks who may).
 */
export class KamPartnerSetLocation extends Component {
    static template = "kam_management.KamPartnerSetLocation";
    static props = {...standardWidgetProps};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({busy: false});
    }

    async onClick(ev) {
        ev.stopPropagation();
        const record = this.props.record;
        this.state.busy = true;
        try {
            if (record.isDirty) {
                await record.save();
            }
            const coords = await getKamPosition({maximumAge: 0});
            if (!coords) {
                this.notification.add(
                    _t(
                        "No position from this device: allow the location and try again at the client's address."
                    ),
                    {type: "warning"}
                );
                return;
            }
            await this.orm.call(
                "res.partner",
                "action_kam_set_location",
                [[record.resId]],
                {latitude: coords.latitude, longitude: coords.longitude}
            );
            await record.load();
            this.notification.add(_t("Location set to where you are."), {
                type: "success",
            });
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("view_widgets").add("kam_partner_set_location", {
    component: KamPartnerSetLocation,
});
