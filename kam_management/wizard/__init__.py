from . import kam_visit_planner
from . import kam_credit_release
