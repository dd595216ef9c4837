"""Bearer-token authentication: `Authorization: Bearer tlt_…` resolves to a user and a viewer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tillit.accounts.access import Viewer, viewer_for
from tillit.accounts.tokens import user_for_token
from tillit.common.errors import ApplicationError


class TokenAuth(HttpBearer):
    """A token from `tillit token create`; the request then acts as the token's user.

    Sessions are deliberately not accepted: the API is for systems, and a cookie-less API
    needs no CSRF protection.
    """

    openapi_description = "An API token from `tillit token create EMAIL --name NAME`, sent as `Bearer tlt_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            return None
        request.user = user
        request.viewer = viewer_for(user)  # type: ignore[attr-defined]
        return user


def viewer_of(request: HttpRequest) -> Viewer:
    """The viewer TokenAuth put on the request."""
    return request.viewer  # type: ignore[attr-defined,no-any-return]


class Forbidden(ApplicationError):
    """The caller is known and may see the thing, but may not do this with it (403).

    Only for actions on what the caller can already see, or may never do at all; whatever
    the caller may not see is NotFound (404), like what does not exist.
    """

    code = "forbidden"
