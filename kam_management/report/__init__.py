from . import kam_plan_report
