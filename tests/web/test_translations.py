"""The Swedish catalogue: complete, placeholders intact, compiled .mo committed, used by the pages.

Whether every msgid in the code is in the catalogue is not tested here (that needs GNU gettext);
`make messages` refreshes the catalogue from the code and templates and compiles it.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.conftest import client_for

LOCALE_DIR = Path(settings.BASE_DIR) / "tillit" / "locale"
PO_PATH = LOCALE_DIR / "sv" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Python %-format placeholders (%(name)s, %(value)r, %s, %d ...) and Django template variables.
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\{.*?\}\}|\{[a-zA-Z_]\w*\}")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs; Swedish has English's two plural forms, so they line up."""
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgid!r} ({', '.join(f'{f}:{n}' for f, n in entry.occurrences[:2])})"


def test_the_catalogue_is_swedish_with_two_plural_forms(po):
    assert po.metadata["Language"] == "sv"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    untranslated = [_label(e) for e in _entries(po) if any(not target.strip() for _, target in _pairs(e))]
    fuzzy = [_label(e) for e in _entries(po) if "fuzzy" in e.flags]
    assert not untranslated, "Translate these in django.po, then run `make messages`:\n" + "\n".join(untranslated)
    assert not fuzzy, "Check these fuzzy entries, remove the fuzzy flag, then run `make messages`:\n" + "\n".join(fuzzy)
    assert len(_entries(po)) > 500


def test_every_translation_keeps_the_placeholders_of_its_msgid(po):
    wrong = []
    for entry in _entries(po):
        for source, target in _pairs(entry):
            if set(_PLACEHOLDER.findall(source)) != set(_PLACEHOLDER.findall(target)):
                wrong.append(f"{_label(entry)}: {sorted(set(_PLACEHOLDER.findall(target)))} in {target!r}")
    assert not wrong, "\n".join(wrong)


def test_no_translation_adds_markup_that_its_msgid_lacks(po):
    wrong = [
        f"{_label(entry)}: {target!r}"
        for entry in _entries(po)
        for source, target in _pairs(entry)
        if set(_HTML_TAG.findall(source)) != set(_HTML_TAG.findall(target))
    ]
    assert not wrong, "\n".join(wrong)


def _as_dict(entries) -> dict[tuple[str | None, str], object]:
    result: dict[tuple[str | None, str], object] = {}
    for entry in entries:
        if entry.msgid == "":
            continue  # the header
        key = (entry.msgctxt, entry.msgid)
        if entry.msgid_plural:
            result[key] = (entry.msgid_plural, tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)))
        else:
            result[key] = entry.msgstr
    return result


def test_the_committed_mo_is_compiled_from_the_po(po):
    assert MO_PATH.exists(), "django.mo is missing; run `make messages` (or python tillit/locale/compile.py)"
    mo = polib.mofile(str(MO_PATH))
    assert _as_dict(mo) == _as_dict(po.translated_entries()), (
        "django.mo is out of date with django.po; run python tillit/locale/compile.py and commit both"
    )
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


@pytest.mark.parametrize(
    "english,swedish",
    [
        ("Providers", "Utförare"),
        ("Contracts", "Avtal"),
        ("Recipients", "Brukare"),
        ("Deliveries", "Leveranser"),
        ("Catalogue", "Insatskatalog"),
        ("Areas", "Områden"),
        ("Audit log", "Händelselogg"),
        ("Log in", "Logga in"),
        ("Log out", "Logga ut"),
        ("Save", "Spara"),
        ("Cancel", "Avbryt"),
        ("Home care", "Hemtjänst"),
        ("Nursing home", "Särskilt boende"),
        ("Double staffing", "Dubbelbemanning"),
    ],
)
def test_key_words_are_swedish(english, swedish):
    with translation.override("sv"):
        assert gettext(english) == swedish
    with translation.override("en"):
        assert gettext(english) == english


def test_plural_forms_and_lazy_choice_labels_are_swedish():
    from tillit.registry.models import Regi, ServiceType

    with translation.override("sv"):
        assert ngettext("%(counter)s delivery", "%(counter)s deliveries", 1) % {"counter": 1} == "1 leverans"
        assert ngettext("%(counter)s delivery", "%(counter)s deliveries", 3) % {"counter": 3} == "3 leveranser"
        assert str(ServiceType.NURSING_HOME.label) == "Särskilt boende"
        assert str(Regi.NONPROFIT.label) == "Idéburen"


def _nav(html: str) -> str:
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert match, "the page has no main navigation"
    return match.group(0)


def test_the_provider_list_is_swedish_by_default(world):
    response = client_for(world.controller).get(reverse("provider-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    nav = _nav(html)
    assert "Utförare" in nav and "Avtal" in nav and "Brukare" in nav
    for english in ("Providers", "Contracts", "Recipients", "Deliveries", "Audit log", "Start page"):
        assert english not in nav, english
    for english in ("Log out", "New provider", "Filter providers", "Operator form", "Service type"):
        assert english not in html, english
    assert "Logga ut" in html and "Ny utförare" in html


def test_english_is_the_second_language(world):
    client = client_for(world.controller)
    response = client.get(reverse("provider-list"), headers={"accept-language": "en"})
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Providers" in _nav(html)
