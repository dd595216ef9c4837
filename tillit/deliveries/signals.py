"""What other apps may react to without the delivery path knowing them (quality re-runs its figures)."""

from django.dispatch import Signal

# Sent after a delivery's data has committed. Arguments: `delivery`, and `months` (YYYY-MM)
# that the data touched, or None when it is not tied to months (recipients, decisions, events).
delivery_loaded = Signal()
