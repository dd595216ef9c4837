"""Each import re-computes the quality figures of the months it touched (as a background job)."""

from __future__ import annotations

import datetime

from tests.engine.builders import at, decision, deliver_decisions, deliver_visits
from tillit.common.periods import Month
from tillit.quality.models import IndicatorRun
from tillit.quality.selectors import month_run


def test_a_visit_delivery_runs_its_months(ledger, settings, django_capture_on_commit_callbacks):
    settings.TILLIT_QUALITY_AUTORUN = True
    with django_capture_on_commit_callbacks(execute=True):
        deliver_visits(ledger, [at(datetime.date(2024, 5, 6), "08:00"), at(datetime.date(2024, 6, 3), "08:00")])
    assert month_run(Month(2024, 5)) is not None and month_run(Month(2024, 6)) is not None
    assert set(IndicatorRun.objects.values_list("reason", flat=True)) == {"import"}


def test_care_data_reruns_the_measured_months(ledger, settings, django_capture_on_commit_callbacks):
    settings.TILLIT_QUALITY_AUTORUN = True
    with django_capture_on_commit_callbacks(execute=True):
        deliver_visits(ledger, [at(datetime.date(2024, 5, 6), "08:00")])
    first = month_run(Month(2024, 5))
    with django_capture_on_commit_callbacks(execute=True):
        deliver_decisions(ledger, [decision("B1", "P:r1", "2024-05-01", minutes="15")])
    again = month_run(Month(2024, 5))
    assert again.pk != first.pk  # the month was computed again with the new decision


def test_nothing_runs_when_turned_off(ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver_visits(ledger, [at(datetime.date(2024, 5, 6), "08:00")])
    assert not IndicatorRun.objects.exists()
