from . import kam_visit_planner
from . import kam_credit_release
from . import kam_order_cancel
from . import account_move_reversal
from . import sale_order_recommendation
