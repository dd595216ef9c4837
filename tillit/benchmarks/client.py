"""A client for Kolada's v3 API (https://api.kolada.se/v3/), built on httpx.

What the API does that a caller must know, and this client handles:

* Every list is paged: at most 5,000 rows a page, the next page linked in ``next_url``.
* A path segment takes at most 25 ids, so id lists are split into chunks of 25.
* Data rows look like ``{"kpi", "municipality", "period", "values": [{"gender", "count",
  "status", "value", "isdeleted"}]}``; rows with ``isdeleted`` are withdrawn values.
* A non-empty ``status`` marks an uncertain or confidential value: kept, and shown as such.
* Time-outs, HTTP 429 and 5xx are retried with back-off, waiting as long as Retry-After says.

Tests hand in an ``httpx.Client`` with a ``MockTransport``; everything else is the live code.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product
from typing import Any

import httpx
from django.utils.translation import gettext as _

from tillit.common.errors import ApplicationError

logger = logging.getLogger(__name__)

BASE_URL = "https://api.kolada.se/v3/"
PAGE_SIZE = 5000  # Kolada's largest page
MAX_IDS = 25  # Kolada's limit of ids in one path segment
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT_SECONDS = 120.0  # never sleep longer than this on one Retry-After


class KoladaError(ApplicationError):
    """Kolada answered, but not with what we asked for."""

    code = "kolada.error"


class KoladaUnavailable(KoladaError):
    """Kolada could not be reached (no network, DNS, proxy) or kept failing."""

    code = "kolada.unavailable"


@dataclass(frozen=True)
class ValueRecord:
    """One value of one KPI for one municipality (or unit), year and gender."""

    kpi: str
    municipality: str  # a municipality id, or an OU id for unit data
    year: int
    gender: str
    value: Decimal | None
    count: int | None
    status: str
    deleted: bool = False

    @property
    def uncertain(self) -> bool:
        return bool(self.status)


def chunks(ids: Iterable[str], size: int = MAX_IDS) -> list[list[str]]:
    """Split ids (de-duplicated, order kept) into lists Kolada accepts in one path segment."""
    unique = list(dict.fromkeys(str(i) for i in ids if str(i)))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def to_decimal(raw: Any) -> Decimal | None:
    """A Kolada number as an exact decimal (JSON floats go through their shortest text)."""
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def flatten(row: dict[str, Any], *, unit_key: str = "municipality") -> Iterator[ValueRecord]:
    """The values of one v3 data row, one record per gender, deleted ones flagged."""
    year = int(row["period"])
    for item in row.get("values") or ():
        count = item.get("count")
        yield ValueRecord(
            kpi=str(row["kpi"]),
            municipality=str(row[unit_key]),
            year=year,
            gender=str(item.get("gender") or "T"),
            value=to_decimal(item.get("value")),
            count=int(count) if count not in (None, "") else None,
            status=str(item.get("status") or "").strip(),
            deleted=bool(item.get("isdeleted")),
        )


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header: a number or an HTTP date."""
    header = response.headers.get("retry-after")
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


class KoladaClient:
    """Read Kolada's catalogue, municipalities, groups and values.

    `http` is an httpx.Client (tests give one with a MockTransport); `sleep` is how the
    client waits between attempts (tests give one that only records).
    """

    def __init__(
        self,
        *,
        base_url: str = BASE_URL,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        attempts: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.http = http or httpx.Client(
            timeout=timeout, headers={"Accept": "application/json", "User-Agent": "Tillit (kolada client)"},
            follow_redirects=True,
        )
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0  # for progress reports and tests

    # -- metadata -----------------------------------------------------------------------

    def kpis(self, ids: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The KPI catalogue, or the KPIs with these ids."""
        return self._listing("kpi", ids)

    def municipalities(self, ids: Iterable[str] = ()) -> list[dict[str, Any]]:
        return self._listing("municipality", ids)

    def municipality_groups(self, ids: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Groups with their members: ``{"id", "title", "members": [{"id", "title"}]}``."""
        return self._listing("municipality_groups", ids)

    def ous(self, municipality: str) -> list[dict[str, Any]]:
        """The organisational units (e.g. nursing homes) of a municipality."""
        return list(self._pages(self._url("ou"), {"municipality": municipality}))

    # -- data ---------------------------------------------------------------------------

    def values(
        self, *, kpis: Iterable[str], municipalities: Iterable[str], years: Iterable[int],
        include_deleted: bool = False,
    ) -> Iterator[ValueRecord]:
        """Values by KPI × municipality × year, every combination of chunks of 25 ids."""
        yield from self._data("data", "municipality", kpis, municipalities, years, include_deleted)

    def ou_values(
        self, *, kpis: Iterable[str], ous: Iterable[str], years: Iterable[int], include_deleted: bool = False
    ) -> Iterator[ValueRecord]:
        """Unit-level values (records carry the OU id in `municipality`)."""
        yield from self._data("oudata", "ou", kpis, ous, years, include_deleted)

    def _data(
        self, root: str, unit: str, kpis: Iterable[str], units: Iterable[str], years: Iterable[int],
        include_deleted: bool,
    ) -> Iterator[ValueRecord]:
        kpi_chunks, unit_chunks = chunks(kpis), chunks(units)
        year_chunks = chunks(str(year) for year in sorted(set(years)))
        if not (kpi_chunks and unit_chunks and year_chunks):
            return
        for kpi_ids, unit_ids, year_ids in product(kpi_chunks, unit_chunks, year_chunks):
            url = self._url(
                f"{root}/kpi/{','.join(kpi_ids)}/{unit}/{','.join(unit_ids)}/year/{','.join(year_ids)}"
            )
            for row in self._pages(url, {}):
                for record in flatten(row, unit_key=unit):
                    if include_deleted or not record.deleted:
                        yield record

    # -- plumbing -----------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _listing(self, entity: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        id_chunks = chunks(ids)
        if not id_chunks:
            return list(self._pages(self._url(entity), {}))
        rows: list[dict[str, Any]] = []
        for id_list in id_chunks:
            rows.extend(self._pages(self._url(f"{entity}/{','.join(id_list)}"), {}))
        return rows

    def _pages(self, url: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every row of every page; the next page's address is the answer's ``next_url``."""
        next_url: str | None = url
        query: dict[str, Any] | None = {**params, "per_page": PAGE_SIZE}
        seen: set[str] = set()
        while next_url:
            if next_url in seen:  # a server that links a page to itself must not hang a sync
                raise KoladaError(_("Kolada linked the page %(url)s to itself; the sync stopped there.") % {"url": next_url})
            seen.add(next_url)
            body = self._get_json(next_url, query)
            rows = body.get("values")
            if not isinstance(rows, list):
                raise KoladaError(
                    _("Kolada's answer from %(url)s has no list of values; Kolada may have changed its API.")
                    % {"url": next_url}
                )
            yield from rows
            # v3 says next_url; some mirrors say next_page. The link already carries the query.
            next_url = body.get("next_url") or body.get("next_page") or None
            query = None

    def _get_json(self, url: str, params: dict[str, Any] | None) -> dict[str, Any]:
        response = self._get(url, params)
        try:
            body = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "unknown")
            raise KoladaError(
                _("Kolada answered %(url)s with %(kind)s instead of JSON (HTTP %(status)s); it may be down for "
                  "maintenance. Try again later, or load the data from files with `tillit kolada load DIR`.")
                % {"url": url, "kind": kind, "status": response.status_code}
            ) from None
        if not isinstance(body, dict):
            raise KoladaError(
                _("Kolada's answer from %(url)s has no list of values; Kolada may have changed its API.") % {"url": url}
            )
        return body

    def _get(self, url: str, params: dict[str, Any] | None) -> httpx.Response:
        """One GET, retried on time-outs, lost connections, 429 and 5xx."""
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self.requests += 1
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                response = self.http.get(url, params=params)
            except httpx.TimeoutException:
                problem = _("did not answer in time")
            except httpx.TransportError as error:
                problem = _("could not be reached (%(error)s)") % {"error": f"{error.__class__.__name__}: {error}"}
                if isinstance(error, httpx.ConnectError) and attempt >= 2:
                    # Offline, DNS or a proxy: one more try helps a flaky line; more only keep people waiting.
                    break
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = _("answered HTTP %(status)s") % {"status": response.status_code}
                    wait = _retry_after(response) if _retry_after(response) is not None else wait
                elif response.status_code >= 400:
                    raise KoladaError(
                        _("Kolada refused %(url)s with HTTP %(status)s: %(text)s. Check the KPI, municipality and "
                          "group ids.")
                        % {"url": response.request.url, "status": response.status_code, "text": response.text[:200].strip()}
                    )
                else:
                    return response
            if attempt < self.attempts:
                wait = min(wait, MAX_WAIT_SECONDS)
                logger.warning("Kolada %s (%s); attempt %s of %s in %.0f s", problem, url, attempt + 1, self.attempts, wait)
                self.sleep(wait)
        raise KoladaUnavailable(
            _("Kolada (%(url)s) %(problem)s, %(attempts)s times in a row. Check the network connection (and "
              "HTTPS_PROXY if the municipality uses a proxy), try again later, or load the data from files with "
              "`tillit kolada load DIR`.")
            % {"url": self.base_url, "problem": problem, "attempts": attempt}
        )
