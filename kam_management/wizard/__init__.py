from . import kam_visit_planner
