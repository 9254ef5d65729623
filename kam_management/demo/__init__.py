from . import kam_demo_data
