"""Request plumbing: every page needs a login, knows its viewer, and turns NotFound into 404."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from tillit.accounts.access import viewer_for
from tillit.common.errors import NotFound

# Pages anyone may open: logging in, resetting a password, switching language, static files;
# and the API, which authenticates every call itself (tokens, tillit.api.auth) and answers 401.
_PUBLIC_PREFIXES = ("/login/", "/password-reset/", "/reset/", "/i18n/", "/static/", "/favicon.ico", "/api/")


class LoginRequiredMiddleware:
    """Everything but the public prefixes needs a logged-in, active user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer = viewer_for(request.user)  # type: ignore[attr-defined]
        if not request.user.is_authenticated and not request.path.startswith(_PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # "Not found" and "not yours" are the same answer.
        if isinstance(exception, NotFound):
            raise Http404(str(exception))
        return None
