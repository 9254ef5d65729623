from . import res_company
from . import res_config_settings
from . import kam_segment
from . import res_partner
from . import kam_demo_data
