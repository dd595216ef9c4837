"""The quality pages under load: 20 concurrent clients against gunicorn, as production runs it.

    .venv/bin/python bench/quality_pages.py --reuse [--workdir /tmp/tillit-bench-indicators-2M]
        [--month 2025-10] [--users 20] [--duration 20] [--warmup 3] [--workers 4]
        [--tool locust|httpx] [--pages overview,provider,...] [--no-queries]

Data: bench/indicators.py's work directory (a year of 2025, about 2 million visits at
`--scale 2`, SQLite). With --reuse the ledger built before is used (without it, or when it
was built with other settings, it is built again as bench/indicators.py builds it). Months of
the year without a complete indicator run are run first (`indicator_runs`, reported). Two
personas are created once: a controller of the municipality and a provider user of the
provider with the most recipient months in `--month`.

Server: `gunicorn config.wsgi`, `--workers` sync workers, on a free port of 127.0.0.1, with
the work directory's environment and TILLIT_PRODUCTION=1, DEBUG=0, the secrets of the data
directory as SECRET_KEY_FILE / TILLIT_PERSONAL_DATA_KEY_FILE and ALLOWED_HOSTS=127.0.0.1.
The clients send `X-Forwarded-Proto: https`, as the TLS-terminating proxy in front of
production does (otherwise every request is redirected to HTTPS). Each client logs in with
POST /login/ (CSRF token, its own session).

Load: `--users` closed-loop clients without think time (each sends its next request when the
last answer arrived), by locust (headless, FastHttpUser) when it is installed, else by an
asyncio + httpx generator. Each scenario runs `--warmup` + `--duration` seconds; only the
requests started after the warm-up count. Scenarios, in this order:

  baseline   GET /static/web/tillit.css (whitenoise: no database, no template)
  login      GET /login/ anonymously (the middleware stack and a small template)
  overview   /quality/?month=M, controller
  provider   /quality/providers/P/?month=M, controller
  provider (own)  the same page as the provider's user
  continuity /quality/providers/P/continuity_mean/?month=M, controller (evidence list)
  plan       /quality/providers/P/plan/?month=M, controller (evidence list)
  mix        the four quality pages in turn (each client starts at a different one)
  baseline   again, last

Prints per scenario: requests, errors (non-200), req/s, p50, p95, p99 and max in ms, the p95
as a ratio of the baseline's (mean of its two runs), the server's CPU per request (the
gunicorn workers' user+system time over the window) and the load generator's CPU; then
PASS/MISSED per quality page against p95 < 150 ms. Then, unless --no-queries, each page once
more in this process through Django's test client (no load): SQL queries, their time, the
whole response time, and the slowest statements. Exit status 0 either way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402
from _setup import log  # noqa: E402
from _load import (  # noqa: E402
    CONTROLLER_EMAIL, PASSWORD, Server, have_locust, login_all, percentile, run_httpx, run_locust,
)

P95_TARGET_MS = 150.0
def prepare(workdir: Path, scale: float, reuse: bool, year: int, month: str) -> dict:
    """The ledger (built or reused), complete runs for the 12 months, the personas."""
    import indicators
    import query_visits

    config = {"recipients": round(scale * indicators.RECIPIENTS_PER_MILLION), "year": year, "seed": 2024}
    built = query_visits.build(workdir, config, reuse=reuse)
    query_visits.print_build(built)

    from tillit.common.periods import Month
    from tillit.quality.models import IndicatorRun
    from tillit.quality.services import indicator_runs

    months = [Month(year, m) for m in range(1, 13)]
    complete = set(IndicatorRun.objects.filter(status=IndicatorRun.Status.COMPLETE,
                                               month__startswith=str(year)).values_list("month", flat=True))
    missing = [m for m in months if str(m) not in complete]
    if missing:
        contracts = indicators.standard_declarations()
        log(f"indicator runs missing for {', '.join(map(str, missing))}: running them "
            f"(standard declaration on {contracts} contracts first) …")
        began = time.perf_counter()
        runs = indicator_runs(actor=None, months=missing, reason="bench", as_of=datetime.date(year + 1, 2, 15))
        failed = [r.month for r in runs if r.status != IndicatorRun.Status.COMPLETE]
        if failed:
            raise SystemExit(f"indicator runs failed for {failed}")
        print(f"{'runs':<10} ran the indicators of {len(missing)} months first ({time.perf_counter() - began:.1f} s)")
    else:
        print(f"{'runs':<10} complete indicator runs for all 12 months of {year} (none run)")
    return personas(month)


def personas(month: str) -> dict:
    """The controller and the largest provider's user, created once (user_create)."""
    from django.db.models import Count

    from tillit.accounts.models import Role, User
    from tillit.accounts.services import municipality, user_create
    from tillit.quality.models import ContinuityObservation, DeadlineItem, IndicatorResult, RecipientMonth
    from tillit.registry.models import Provider

    biggest = (RecipientMonth.objects.filter(month=month).values("provider_id").annotate(n=Count("id"))
               .order_by("-n").first())
    if biggest is None:
        raise SystemExit(f"no recipient months stored for {month}")
    provider = Provider.objects.get(pk=biggest["provider_id"])

    def ensure(email: str, organisation: object, role: str) -> object:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(actor=None, email=email, full_name=email.split("@")[0], password=PASSWORD,
                               organisation=organisation, role=role)
            log(f"created {email} ({role})")
        elif not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return user

    ensure(CONTROLLER_EMAIL, municipality(), Role.CONTROLLER)
    provider_email = f"bench-provider-{provider.pk}@tillby.example"
    ensure(provider_email, provider.organisation, Role.PROVIDER_USER)
    sizes = {
        "results (month, all providers)": IndicatorResult.objects.filter(month=month).count(),
        "continuity observations (month, provider)": ContinuityObservation.objects.filter(
            month=month, provider=provider).count(),
        "recipient months (month, provider)": biggest["n"],
        "plan items (month, provider)": DeadlineItem.objects.filter(month=month, provider=provider,
                                                                    indicator="plan").count(),
        "providers": Provider.objects.count(),
    }
    return {"provider": provider.pk, "provider_name": provider.name, "controller": CONTROLLER_EMAIL,
            "provider_user": provider_email, "sizes": sizes}


def measure(server: Server, name: str, scenario: dict, args: argparse.Namespace) -> dict:
    seconds = args.warmup + args.duration
    load_before = os.getloadavg()[0]
    cpu_before = server.cpu_seconds()
    children_before = os.times()
    began = time.time()
    if args.tool == "locust":
        result = run_locust(server.url, scenario, args.users, seconds, args.workdir)
    else:
        result = run_httpx(server.url, scenario, args.users, seconds)
    server_cpu = server.cpu_seconds() - cpu_before
    children_after = os.times()
    wall = time.time() - began
    start = result["marks"].get("spawned", began) + args.warmup
    end = result["marks"].get("stopped", time.time())
    kept = [r for r in result["records"] if start <= r[0] and r[0] + r[1] / 1000 <= end]
    window = max(end - start, 1e-9)
    times = [r[1] for r in kept]
    errors = sum(1 for r in kept if r[2] != 200)
    by_status: dict[int, int] = {}
    for r in kept:
        by_status[r[2]] = by_status.get(r[2], 0) + 1
    generator_cpu = ((children_after.children_user - children_before.children_user)
                     + (children_after.children_system - children_before.children_system))
    if args.tool == "httpx":
        generator_cpu = float("nan")
    all_requests = len(result["records"])
    parts = {}
    for part in sorted({r[3] for r in kept}):
        part_times = [r[1] for r in kept if r[3] == part]
        parts[part] = (len(part_times), percentile(part_times, 0.5), percentile(part_times, 0.95))
    figures = {
        "name": name, "requests": len(kept), "errors": errors, "statuses": by_status,
        "rps": len(kept) / window,
        "p50": percentile(times, 0.50) if times else float("nan"),
        "p95": percentile(times, 0.95) if times else float("nan"),
        "p99": percentile(times, 0.99) if times else float("nan"),
        "max": max(times) if times else float("nan"),
        "server_cpu_ms": 1000 * server_cpu / max(all_requests, 1),
        "server_cores": server_cpu / wall,
        "generator_cores": generator_cpu / wall,
        "load": f"{load_before:.2f}→{os.getloadavg()[0]:.2f}",
        "warnings": result["warnings"], "parts": parts,
    }
    log(f"  {name}: {figures['requests']:,} requests, {figures['rps']:.0f}/s, p50 {figures['p50']:.1f}, "
        f"p95 {figures['p95']:.1f} ms, errors {errors}, load {figures['load']}")
    return figures


def scenarios(info: dict, month: str) -> dict[str, list[list]]:
    p = info["provider"]
    pages = {
        "baseline": [["css", "/static/web/tillit.css", ""]],
        "login": [["login", "/login/", ""]],
        "overview": [["overview", f"/quality/?month={month}", "controller"]],
        "provider": [["provider", f"/quality/providers/{p}/?month={month}", "controller"]],
        "provider (own)": [["provider (own)", f"/quality/providers/{p}/?month={month}", "provider_user"]],
        "continuity": [["continuity", f"/quality/providers/{p}/continuity_mean/?month={month}", "controller"]],
        "plan": [["plan", f"/quality/providers/{p}/plan/?month={month}", "controller"]],
    }
    pages["mix"] = [pages[k][0] for k in ("overview", "provider", "continuity", "plan")]
    return pages


QUALITY_PAGES = ("overview", "provider", "provider (own)", "continuity", "plan", "mix")


def report(rows: list[dict]) -> None:
    base = [r for r in rows if r["name"] == "baseline"]
    base_p95 = statistics.mean(r["p95"] for r in base) if base else float("nan")
    print()
    print(f"{'scenario':<16} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
          f"{'p95 ratio':>9} {'srv CPU/req':>11} {'srv cores':>9} {'gen cores':>9}  load (1 min)")
    for r in rows:
        print(f"{r['name']:<16} {r['requests']:>8,} {r['errors']:>6} {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
              f"{r['p99']:>7.1f} {r['max']:>7.1f} {r['p95'] / base_p95:>8.1f}x {r['server_cpu_ms']:>8.1f} ms "
              f"{r['server_cores']:>9.2f} {r['generator_cores']:>9.2f}  {r['load']}")
        if r["errors"]:
            print(f"{'':<16} statuses: {r['statuses']}")
        if len(r["parts"]) > 1:
            print(f"{'':<16} " + "; ".join(f"{part} {n:,} p50 {p50:.1f} p95 {p95:.1f}"
                                           for part, (n, p50, p95) in r["parts"].items()))
        for warning in r["warnings"]:
            print(f"{'':<16} locust: {warning.strip()[:120]}")
    print("(ms; the p95 ratio is to the mean p95 of the two baseline runs; srv CPU/req: the gunicorn "
          "processes' CPU time per request; cores: CPU seconds per wall second)")
    print()
    for r in rows:
        if r["name"] in QUALITY_PAGES:
            verdict = "PASS" if r["p95"] < P95_TARGET_MS and r["errors"] == 0 else "MISSED"
            print(f"{verdict:<6} {r['name']:<16} p95 {r['p95']:7.1f} ms (target < {P95_TARGET_MS:.0f} ms), "
                  f"{r['errors']} errors, {r['rps']:.1f} req/s")


# --- where the time goes (in this process, no load) ---------------------------------------------


def queries(info: dict, pages: dict[str, list[list]], runs: int, month_text: str) -> None:
    """Each page through the test client: statements, their execute time, the selector's share."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tillit.accounts.access import viewer_for
    from tillit.accounts.models import User
    from tillit.common.periods import Month
    from tillit.quality import selectors
    from tillit.quality.models import IndicatorResult, IndicatorRun

    users = {"controller": User.objects.get(email=info["controller"]),
             "provider_user": User.objects.get(email=info["provider_user"])}
    clients = {}
    for persona, user in users.items():
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        clients[persona] = client
    month, provider = Month.parse(month_text), info["provider"]
    viewers = {persona: viewer_for(user) for persona, user in users.items()}
    # What the view asks the selectors for, alone (the rest is the template, middleware, session).
    selector_calls = {
        "overview": lambda: selectors.overview(viewer=viewers["controller"], month=month),
        "provider": lambda: selectors.provider_quality(viewer=viewers["controller"], provider_id=provider, month=month),
        "provider (own)": lambda: selectors.provider_quality(viewer=viewers["provider_user"], provider_id=provider,
                                                             month=month),
    }
    executing = [0.0]

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executing[0] += time.perf_counter() - began

    def median_ms(call) -> tuple[float, float, int]:
        totals, sqls, counts = [], [], []
        for index in range(runs + 2):
            executing[0] = 0.0
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                call()
                total = (time.perf_counter() - began) * 1000
            if index >= 2:  # two warm-up calls
                totals.append(total)
                sqls.append(executing[0] * 1000)
                counts.append(len(captured.captured_queries))
        return statistics.median(totals), statistics.median(sqls), round(statistics.median(counts))

    print()
    print(f"where the time goes: each page {runs} times in this process, one at a time (Django test client, "
          "DEBUG off, SQLite), medians in ms")
    print(f"  {'page':<16} {'total':>7} {'queries':>7} {'SQL exec':>8} {'selector':>8} {'rest':>7} {'bytes':>8}")
    with connection.execute_wrapper(timed):
        for name in ("login", "overview", "provider", "provider (own)", "continuity", "plan"):
            _label, path, persona = pages[name][0]
            client = clients.get(persona) or Client(SERVER_NAME="127.0.0.1")
            response = client.get(path, secure=True)
            if response.status_code != 200:
                print(f"  {name:<16} status {response.status_code}")
                continue
            total, sql, count = median_ms(lambda: client.get(path, secure=True))
            selector = median_ms(selector_calls[name])[0] if name in selector_calls else float("nan")
            rest = total - selector if name in selector_calls else float("nan")
            print(f"  {name:<16} {total:>7.1f} {count:>7} {sql:>8.1f} {selector:>8.1f} {rest:>7.1f} "
                  f"{len(response.content):>8,}")
    print("  (SQL exec: time inside cursor.execute, not the fetching of rows or building of model objects; "
          "rest: the template, middleware and session)")
    trend = [str(month.shift(-n)) for n in range(selectors.TREND_MONTHS)] + [str(month.shift(-1))]
    results = IndicatorResult.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month__in=set(trend))
    print(f"  the provider page's selector reads {results.count():,} indicator results (every provider, every unit, "
          f"13 months); of them the provider's own {results.filter(provider_id=provider).count():,}, and the "
          f"whole-provider figures of the month (for the medians) "
          f"{results.filter(month=month_text, unit__isnull=True).count():,}")


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tillit-bench-indicators-2M"))
    parser.add_argument("--scale", type=float, default=2.0, help="millions of visits, when the ledger is (re)built")
    parser.add_argument("--reuse", action="store_true", help="use the ledger an earlier run built, if it matches")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--month", default="2025-10")
    parser.add_argument("--users", type=int, default=20, help="concurrent clients (default %(default)s)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per scenario not counted")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default %(default)s)")
    parser.add_argument("--tool", choices=("locust", "httpx"), default=None,
                        help="load generator (default locust when installed, else httpx)")
    parser.add_argument("--pages", default="", help="comma-separated scenarios (default all)")
    parser.add_argument("--no-queries", action="store_true", help="skip the in-process query count")
    parser.add_argument("--query-runs", type=int, default=10)
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.tool = args.tool or ("locust" if have_locust() else "httpx")

    print("== bench/quality_pages.py")
    _setup.print_machine()
    print(f"{'command':<10} {' '.join(sys.argv)}")
    info = prepare(args.workdir, args.scale, args.reuse, args.year, args.month)
    print(f"{'provider':<10} {info['provider']} {info['provider_name']}: "
          + ", ".join(f"{k} {v:,}" for k, v in info["sizes"].items()))
    with Server(args.workdir, args.workers) as server:
        print(f"{'server':<10} {' '.join(server.command()[:1] + server.command()[1:8])} "
              f"(TILLIT_PRODUCTION=1, DEBUG=0, SQLite, X-Forwarded-Proto: https)")
        tool = f"locust {_locust_version()} headless, FastHttpUser" if args.tool == "locust" else "asyncio + httpx"
        print(f"{'load':<10} {tool}: {args.users} closed-loop clients without think time, "
              f"{args.warmup:g} s warm-up + {args.duration:g} s measured per scenario, month {args.month}")
        sessions = login_all(server.url, {"controller": info["controller"], "provider_user": info["provider_user"]},
                             args.users)
        pages = scenarios(info, args.month)
        chosen = [p.strip() for p in args.pages.split(",") if p.strip()] or [n for n in pages if n != "baseline"]
        rows = []
        for name in ["baseline", *chosen, "baseline"]:
            log(f"{name} …")
            rows.append(measure(server, name, {"paths": pages[name], "cookies": sessions}, args))
        print(f"{'load avg':<10} {_setup.load_average()} (1, 5, 15 min) after the load")
        report(rows)
        server_log = server.tail()
    if server_log.strip() and server_log != "(no log)":
        print("gunicorn log (last lines):\n" + server_log)
    if not args.no_queries:
        queries(info, pages, args.query_runs, args.month)
    print(f"{'load avg':<10} {_setup.load_average()} (1, 5, 15 min) at end")


def _locust_version() -> str:
    try:
        from importlib.metadata import version

        return version("locust")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    main()
