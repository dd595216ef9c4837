from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tillit.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from tillit.deliveries.importers import register
        from tillit.registry.importers import AreaImporter, ContractImporter, ProviderImporter, UnitImporter

        for importer in (ProviderImporter, AreaImporter, UnitImporter, ContractImporter):
            register(importer)
