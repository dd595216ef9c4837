"""The written definitions, shown in the app from the same file the repository keeps (docs/)."""

from __future__ import annotations

from pathlib import Path

import markdown
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def _render(name: str) -> str:
    path = Path(settings.BASE_DIR) / "docs" / name
    if not path.exists():
        raise Http404("The definitions are not installed.")
    # The file is ours, from the repository (never user input): its HTML may be trusted.
    return markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables", "attr_list", "toc"])


def indicator_definitions(request: HttpRequest) -> HttpResponse:
    """How every quality indicator is measured: numerator, denominator, exclusions, sources."""
    return render(request, "web/docs.html", {"title": _("Indicator definitions"),
                                             "body": mark_safe(_render("indicators.md"))})  # noqa: S308
