"""The API's one NinjaAPI instance, its error shapes and its routers; mounted at /api/v1/.

Every error answers `{"code": ..., "message": ...}`: `code` is stable for programs, `message`
a whole sentence for people (in the language the request asks for, Swedish by default).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tillit.api import quality, statements, visits
from tillit.api.auth import Forbidden, TokenAuth
from tillit.common.errors import ApplicationError, NotFound, ValidationFailed
from tillit.deliveries.services import DeliveryStateError

api = NinjaAPI(
    title="Tillit API",
    version="1",
    description=(
        "Deliver visit files and read what became of them and of the visit ledger; read the "
        "quality figures and compliance of a month, and the compensation statements. "
        "Authenticate with an API token (`tillit token create EMAIL --name NAME`) sent as "
        "`Authorization: Bearer tlt_…`; a token has exactly its user's access, and a provider's "
        "token sees and delivers only its own provider's data."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
)
api.add_router("/visits", visits.router)
api.add_router("/quality", quality.router)
api.add_router("/statements", statements.router)


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, "unauthorized",
        _("Send a valid API token as 'Authorization: Bearer <token>'; this one is missing, unknown or revoked."),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # Raised by the framework itself, e.g. a body that is not JSON.
    return _error(request, error.status_code, f"http.{error.status_code}", str(error))


@api.exception_handler(Http404)
@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    # "Not found" and "not yours" are the same answer.
    return _error(request, 404, NotFound.code, _("Not found."))


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, error: Forbidden) -> HttpResponse:
    return _error(request, 403, error.code, error.message)


@api.exception_handler(DeliveryStateError)
def _conflict(request: HttpRequest, error: DeliveryStateError) -> HttpResponse:
    return _error(request, 409, error.code, error.message)


@api.exception_handler(ValidationFailed)
def _invalid(request: HttpRequest, error: ValidationFailed) -> HttpResponse:
    return _error(request, 400, error.code, error.message, field_errors=error.field_errors)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return _error(request, 400, error.code, error.message)


@api.exception_handler(ValidationError)
def _request_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _error(
        request, 422, "request.invalid", _("The request's parameters are not valid; see errors."), errors=error.errors
    )


urlpatterns = [path("", api.urls)]
