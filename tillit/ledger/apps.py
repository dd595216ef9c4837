from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "tillit.ledger"
    verbose_name = _("Visit ledger")

    def ready(self) -> None:
        from tillit.deliveries.importers import register_decider
        from tillit.ledger.services import VISIT_KIND, batch_accept, batch_reject, visit_delivery_load

        register_decider(VISIT_KIND, load=visit_delivery_load, accept=batch_accept, reject=batch_reject, label=_("Visits"))
