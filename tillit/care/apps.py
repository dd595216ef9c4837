from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "tillit.care"
    verbose_name = _("Care data")

    def ready(self) -> None:
        from tillit.care.importers import (
            CareEventImporter,
            DecisionImporter,
            InterventionImporter,
            RecipientImporter,
        )
        from tillit.deliveries.importers import register

        for importer in (InterventionImporter, RecipientImporter, DecisionImporter, CareEventImporter):
            register(importer)
