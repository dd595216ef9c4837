"""The URL map: the web UI; later the portal and the API."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tillit.api.urls")),
    path("", include("tillit.web.urls")),
]
