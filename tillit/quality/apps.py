from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "tillit.quality"
    verbose_name = _("Quality")
    default_auto_field = "django.db.models.BigAutoField"
