"""Statements: a month's compensation per provider, with every line, for the provider's and the
municipality's finance systems. The same access as the pages: a provider's token sees only its own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tillit.accounts.access import can_read_statement_lines
from tillit.api.auth import viewer_of
from tillit.common.errors import NotFound
from tillit.common.periods import Month
from tillit.compensation import selectors
from tillit.compensation.statement_data import statement_document

router = Router(tags=["statements"])


@router.get("", url_name="statement_list", summary="A month's latest statement per provider, with lines")
def statement_list(request: HttpRequest, month: str) -> list[dict[str, Any]]:
    """Each provider's latest version for the month (YYYY-MM): totals, components and every line
    (amounts as exact text, in kronor). Definitions: docs/compensation.md."""
    viewer = viewer_of(request)
    if not can_read_statement_lines(viewer):
        raise NotFound("Not found.")
    return [statement_document(viewer=viewer, statement=s)
            for s in selectors.statement_list(viewer=viewer, month=Month.parse(month))]


@router.get("/{statement_id}", url_name="statement_detail", summary="One statement version, with lines")
def statement_detail(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    viewer = viewer_of(request)
    if not can_read_statement_lines(viewer):
        raise NotFound("Not found.")
    return statement_document(viewer=viewer, statement=selectors.statement_get(viewer=viewer, statement_id=statement_id))
