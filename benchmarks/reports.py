"""Time the reports on a seeded region: the aggregates, the dashboard page and the PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \
        .venv/bin/python benchmarks/reports.py

Run after ``benchmarks/seed_pupils.py --pupils 100000`` on the same database. Measures, each
best of three after a warm-up, with its query count:

0. freezes the ended quarters of the trend for every scope that has none yet (as the daily
   task does over time; the trend reads frozen quarters);
1. ``figures()`` for the largest SWV, a municipality and the whole region (this quarter);
2. the dashboard page (``/rapportages/``) as the SWV director and the API figures;
3. rendering the quarterly PDF for the SWV (the Celery task's service, run in-process):
   wall time, pages, size, and memory (peak Python allocations and the growth of the
   process's resident set);
4. unless ``--no-served``: ``benchmarks/load.py --mix reports``, the director's dashboard,
   figures API and key figures through gunicorn with production settings, p50/p95 of 50
   each against a ping's. Set ``REDIS_URL`` to share the figures cache between the workers.

Results are recorded in docs/performance.md.
"""

import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.dev")


def best_of(func, runs: int = 3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()  # warm-up
    best, queries = float("inf"), 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = func()
            best = min(best, time.perf_counter() - start)
        queries = len(captured.captured_queries)
    return best, queries, result


def _sign_in(client, user) -> None:
    """Signed in with a verified second factor in the session, as a real sign-in leaves it
    (without it every page answers with the second-factor step)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from thuiszitters.middleware import SESSION_LAST_ACTIVITY, SESSION_STARTED

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_STARTED] = session[SESSION_LAST_ACTIVITY] = int(time.time())
    session.save()


def _counts(value):
    """Every leaf of a figures dict."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _counts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _counts(item)
    else:
        yield value


def main() -> None:
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Case
    from registration.models import Pupil
    from reports.models import QuarterlyReport, ScopeKind
    from reports.periods import Quarter
    from reports.scopes import Scope
    from reports.selectors import Period, figures
    from reports.suppression import suppressed
    from thuiszitters.models import Municipality, Region, Samenwerkingsverband, User

    print(
        f"pupils: {Pupil.objects.count()}, cases: {Case.objects.count()}, "
        f"open: {Case.objects.open().count()}"
    )
    swv_id = Case.objects.values("swv_id").annotate(n=Count("pk")).order_by("-n").first()["swv_id"]
    swv = Samenwerkingsverband.objects.get(pk=swv_id)
    municipality_id = (
        Case.objects.values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["municipality_id"]
    )
    municipality = Municipality.objects.get(pk=municipality_id)
    region = Region.objects.get(pk=swv.region_id)
    scopes = [
        Scope(ScopeKind.SWV, swv.pk, swv.name, swv.region_id),
        Scope(ScopeKind.MUNICIPALITY, municipality.pk, municipality.name, region.pk),
        Scope(ScopeKind.REGION, region.pk, region.name, region.pk),
    ]
    quarter = Quarter.of(timezone.localdate())
    # A region in use has the ended quarters frozen (the daily task freezes each one once);
    # the trend reads them instead of counting them again. Freeze what is missing.
    from reports.scopes import SCOPE_ORGANISATION_KINDS, scope_of_organisation
    from reports.services.quarterly import figures_freeze
    from thuiszitters.models import Organisation

    started = time.perf_counter()
    made = 0
    for organisation in Organisation.objects.filter(kind__in=list(SCOPE_ORGANISATION_KINDS)):
        for earlier in quarter.last(8)[:-1]:
            made += figures_freeze(scope=scope_of_organisation(organisation), quarter=earlier)[1]
    print(f"froze {made} quarters of scopes in {time.perf_counter() - started:.0f} s")
    print(f"\n1. figures() for {quarter}")
    for scope in scopes:
        seconds, queries, data = best_of(lambda s=scope: figures(s, Period.of_quarter(quarter)))
        cases = scope.cases().count()
        # Suppression on its own (not remembered), as a director's first view pays it.
        hiding, _q, shown = best_of(lambda d=data: suppressed(d))
        hidden = sum(1 for v in _counts(shown) if isinstance(v, str))
        print(
            f"   {scope.kind:<13} {scope.name[:40]:<40} cases {cases:>7}  open "
            f"{data['totals']['open']:>6}  {seconds * 1000:8.0f} ms  {queries:>3} queries;"
            f"  suppressed {hiding * 1000:6.1f} ms, {hidden} hidden"
        )

    print("\n2. pages")
    director = User.objects.get(email="directeur.po@demo.test")
    client = Client(HTTP_HOST="localhost")
    _sign_in(client, director)
    for name, url in [
        ("dashboard (director)", reverse("reports:dashboard")),
        ("API figures (director)", reverse("report-figures")),
    ]:
        seconds, queries, response = best_of(lambda u=url: client.get(u))
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} (not signed in?)")
        print(
            f"   {name:<28} {response.status_code}  {seconds * 1000:8.0f} ms  {queries:>3} queries"
        )

    print("\n2b. the first view after a write (figures cache emptied before each)")
    from django.core.cache import cache

    for name, url in [
        ("dashboard (director)", reverse("reports:dashboard")),
        ("API figures (director)", reverse("report-figures")),
    ]:

        def cold(u=url):
            cache.clear()
            return client.get(u)

        seconds, queries, response = best_of(cold)
        print(
            f"   {name:<28} {response.status_code}  {seconds * 1000:8.0f} ms  {queries:>3} queries"
        )

    print("\n3. quarterly PDF")
    from reports.services import quarterly_report_render

    director_scope = scopes[0]

    def render() -> "QuarterlyReport":
        report = QuarterlyReport.objects.create(
            scope_kind=director_scope.kind,
            organisation_id=director_scope.organisation_id,
            year=quarter.year,
            quarter=quarter.number,
            requested_by=director,
        )
        quarterly_report_render(report_id=report.pk)
        report.refresh_from_db()
        report.pdf.delete(save=False)
        report.delete()
        return report

    # Timed without tracing; memory measured on a second run with tracemalloc on.
    start = time.perf_counter()
    report = render()
    seconds = time.perf_counter() - start
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    render()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"   {director_scope.name}: {report.status}, {report.pages} pages, "
        f"{(report.size_bytes or 0) / 1024:.0f} KB, {seconds:.1f} s; "
        f"peak Python allocations {peak / 2**20:.0f} MB, process max RSS {rss_after / 1024:.0f} MB "
        f"({(rss_after - rss_before) / 1024:+.0f} MB over the traced run)"
    )

    if not args_skip_served():
        print("\n4. served by gunicorn with production settings (benchmarks/load.py --mix reports)")
        sys.stdout.flush()
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                str(Path(__file__).resolve().parent / "load.py"),
                "--mix",
                "reports",
                "--requests",
                "50",
                "--seconds",
                "0",
            ],
            check=True,
        )


def args_skip_served() -> bool:
    return "--no-served" in sys.argv[1:]


if __name__ == "__main__":
    main()
