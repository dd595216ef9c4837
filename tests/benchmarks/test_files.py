"""`tillit kolada load DIR`: Kolada's CSV files as they are, and JSON in the v3 response shape."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.benchmarks.conftest import kolada_dir
from tests.benchmarks.kolada_mock import FIXTURES
from tillit.benchmarks.models import GroupMember, KoladaValue, Kpi, Municipality, MunicipalityGroup, ValueRevision
from tillit.benchmarks.services import load_directory

pytestmark = pytest.mark.django_db


def test_the_shared_kolada_csv_files_load_as_they_are(capsys):
    directory = kolada_dir()
    call_command("kolada", "load", str(directory))
    out = capsys.readouterr().out
    assert "303 new values" in out
    assert Kpi.objects.count() == 6099
    assert Kpi.objects.get(pk="N21026").title.startswith("Kostnad ordinärt boende äldreomsorg övrigt")
    assert Municipality.objects.filter(type="K").count() == 290
    assert MunicipalityGroup.objects.count() == 3630
    assert GroupMember.objects.count() == 26573
    # A group title with a comma inside its quotes survives.
    assert MunicipalityGroup.objects.get(pk="G92791").title == "Landsbygdskommun, ej nära större stad (ovägt medel)"
    assert KoladaValue.objects.get(kpi_id="N03702", municipality_id="0180", year=2012).value == Decimal("777.735791")
    # The same files again change nothing.
    call_command("kolada", "load", str(directory))
    assert "0 new values, 0 revised, 303 unchanged" in capsys.readouterr().out
    assert ValueRevision.objects.count() == 0


def test_json_in_the_v3_shape_loads_too(tmp_path):
    for name in ("v3_kpi.json", "v3_municipality.json", "v3_municipality_groups.json",
                 "v3_data_N03702_page1.json", "v3_data_N03702_page2.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    sync = load_directory(actor=None, directory=tmp_path)
    assert sync.values_new == 24
    assert KoladaValue.objects.filter(municipality_id="1480").count() == 8
    # A later file with a revised value is a revision, as from the API.
    page = json.loads((FIXTURES / "v3_data_N03702_page2.json").read_text(encoding="utf-8"))
    page["values"][-1]["values"][0]["value"] = 1.5
    (tmp_path / "v3_data_N03702_page2.json").write_text(json.dumps(page), encoding="utf-8")
    again = load_directory(actor=None, directory=tmp_path)
    assert again.values_changed == 1 and ValueRevision.objects.count() == 1


def test_a_folder_without_kolada_files_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(CommandError, match="innehåller inga Kolada-filer"):
        call_command("kolada", "load", str(tmp_path))
    with pytest.raises(CommandError, match="är ingen mapp"):
        call_command("kolada", "load", str(tmp_path / "missing"))
