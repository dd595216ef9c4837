"""Rendered parts of pages kept in the cache until the data behind them changes.

The quality pages are read far more often than their figures change (once per run), so their
heavy part is rendered once per results generation. The key holds everything the part depends
on; access is checked before the cache is asked, and cached parts hold no user's own content
and no CSRF token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

TIMEOUT = 24 * 3600  # a key is never stale (it names the generation); this only frees memory


def cached_html(parts: tuple[object, ...], render: Callable[[], str]) -> SafeString:
    """The HTML `render` makes for `parts` (plus the active language), from the cache when there."""
    digest = hashlib.sha256(repr((translation.get_language(), *parts)).encode()).hexdigest()
    key = f"tillit:fragment:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # rendered by our own templates, escaped there
