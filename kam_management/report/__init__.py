from . import kam_revenue_report
from . import kam_plan_report
from . import sale_report
from . import account_invoice_report
from . import kam_aging_report
from . import kam_fulfilment_report
from . import kam_return_report
from . import kam_key_account_review
