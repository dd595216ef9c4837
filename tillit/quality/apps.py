from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "tillit.quality"
    verbose_name = _("Quality")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tillit.deliveries.signals import delivery_loaded
        from tillit.quality.jobs import refresh_after_delivery

        delivery_loaded.connect(refresh_after_delivery, dispatch_uid="quality-refresh")
