"""The cache of published figures (``reports.selectors.published_figures``): a second view
of a scope and quarter does not count again, and a write through the services in the scope
shows on the next view (``thuiszitters.changes``)."""

import datetime
import re

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import ClosureReason
from cases.services import case_close
from cases.services.workflow import TimerStep, cases_transition_by_timer
from escalation.services.policy import policy_version_create
from reports.periods import Quarter
from reports.scopes import Scope
from reports.selectors import published_figures
from thuiszitters.changes import generation
from thuiszitters.roles import RoleCode
from thuiszitters.system import COMMAND, SWEEP

from ..factories.cases import CaseFactory
from ..factories.organisations import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.FIGURES_CACHE_SECONDS = 300


def _cases(school, count, phase="casusregisseur"):
    return [CaseFactory(phase=phase, school=school) for _ in range(count)]


def _consultant(world, user_with_role, login):
    return login(user_with_role(RoleCode.SWV_CONSULTANT))


def _open(client, scope):
    body = client.get(reverse("report-figures"), {"scope": scope}).json()
    return body["totals"]["open"]


def test_a_second_view_does_not_count_again(world, user_with_role, login):
    _cases(world.school, 3)
    client = _consultant(world, user_with_role, login)
    scope = f"swv-{world.swv.pk}"
    with CaptureQueriesContext(connection) as first:
        body = client.get(reverse("report-figures"), {"scope": scope}).json()
    with CaptureQueriesContext(connection) as second:
        again = client.get(reverse("report-figures"), {"scope": scope}).json()
    assert again == body
    assert body["totals"]["open"] == 3
    counted = [q["sql"] for q in first.captured_queries if "cases_case" in q["sql"]]
    assert counted
    assert not [q["sql"] for q in second.captured_queries if "cases_case" in q["sql"]]


def test_a_write_through_a_service_shows_on_the_next_view(
    world, user_with_role, login, django_capture_on_commit_callbacks
):
    cases = _cases(world.school, 3)
    client = _consultant(world, user_with_role, login)
    scope = f"swv-{world.swv.pk}"
    assert _open(client, scope) == 3
    with django_capture_on_commit_callbacks(execute=True):
        case_close(case=cases[0], reason=ClosureReason.MOVED_AWAY, actor=COMMAND)
    assert _open(client, scope) == 2


def test_a_write_outside_the_services_shows_when_the_figures_time_out(
    world, settings, user_with_role, login
):
    # A cache in this process, so the time travel below reaches its expiry (Redis keeps
    # its own clock).
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "figures-timeout",
        },
    }
    _cases(world.school, 3)
    client = _consultant(world, user_with_role, login)
    scope = f"swv-{world.swv.pk}"
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert _open(client, scope) == 3
        _cases(world.school, 1)  # a factory: what the admin or a database edit would do
        assert _open(client, scope) == 3
    with time_machine.travel(now + datetime.timedelta(seconds=301), tick=False):
        assert _open(client, scope) == 4


def test_a_rolled_back_write_keeps_the_token(world, django_capture_on_commit_callbacks):
    case = _cases(world.school, 1)[0]
    before = generation(world.swv.pk)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case_close(case=case, reason=ClosureReason.MOVED_AWAY, actor=COMMAND)
        raise RuntimeError("rolled back")
    assert generation(world.swv.pk) == before


def test_a_write_changes_its_scopes_and_their_region_only(
    world, django_capture_on_commit_callbacks
):
    # A case of the VO SWV of the same region, in municipality m1.
    case = _cases(SchoolFactory(swv=world.swv_vo), 1)[0]
    assert case.municipality.region_id == world.region.pk
    others = [world.swv.pk, world.far_swv.pk, world.far_swv.region_id]
    touched = [case.swv_id, case.municipality_id, world.region.pk]
    before = {pk: generation(pk) for pk in [*others, *touched]}
    with django_capture_on_commit_callbacks(execute=True):
        case_close(case=case, reason=ClosureReason.MOVED_AWAY, actor=COMMAND)
    assert {pk: generation(pk) for pk in others} == {pk: before[pk] for pk in others}
    assert all(generation(pk) != before[pk] for pk in touched)


def test_the_sweep_changes_the_scopes_of_the_cases_it_moves(
    world, django_capture_on_commit_callbacks
):
    case = _cases(world.school, 1, phase="school")[0]
    before = generation(world.swv.pk)
    with django_capture_on_commit_callbacks(execute=True):
        applied = cases_transition_by_timer(
            [TimerStep(case_id=case.pk, from_phase="school", to_phase="casusregisseur")],
            actor=SWEEP,
        )
    assert applied
    assert generation(world.swv.pk) != before


def test_a_new_convenant_version_changes_the_swv(world, django_capture_on_commit_callbacks):
    before = generation(world.swv.pk)
    with django_capture_on_commit_callbacks(execute=True):
        policy_version_create(swv=world.swv, actor=COMMAND, reason="test")
    assert generation(world.swv.pk) != before


def test_exact_suppressed_and_languages_are_kept_apart(world):
    _cases(world.school, 3)
    quarter = Quarter.of(timezone.localdate())

    def scope(personal):
        return Scope("swv", world.swv.pk, world.swv.name, world.region.pk, personal_data=personal)

    assert published_figures(scope(True), quarter)["totals"]["open"] == 3
    assert published_figures(scope(False), quarter)["totals"]["open"] == "<5"
    assert published_figures(scope(True), quarter)["totals"]["open"] == 3
    with translation.override("nl"):
        dutch = published_figures(scope(True), quarter)["targets"][0]["label"]
    with translation.override("en"):
        english = published_figures(scope(True), quarter)["targets"][0]["label"]
    assert dutch.startswith("Eerste contact")
    assert english != dutch


def test_turned_off_every_view_counts(world, settings, user_with_role, login):
    settings.FIGURES_CACHE_SECONDS = 0
    _cases(world.school, 3)
    client = _consultant(world, user_with_role, login)
    scope = f"swv-{world.swv.pk}"
    assert _open(client, scope) == 3
    _cases(world.school, 1)
    assert _open(client, scope) == 4


def test_the_dashboard_keeps_its_figures_rendered_until_a_write(
    world, user_with_role, login, django_capture_on_commit_callbacks
):
    cases = _cases(world.school, 6)
    client = _consultant(world, user_with_role, login)
    url = reverse("reports:dashboard")
    query = {"scope": f"swv-{world.swv.pk}", "definition": "broad"}

    def open_cases(content: str) -> str:
        found = re.search(r"Open casussen op de peildatum</th>\s*<td[^>]*>(\S+)</td>", content)
        assert found, "no totals row"
        return found.group(1)

    first = client.get(url, query).content.decode()
    with CaptureQueriesContext(connection) as again:
        second = client.get(url, query).content.decode()
    # (The CSRF token in the page head is masked anew per response.)
    assert second.split('id="inhoud"')[1] == first.split('id="inhoud"')[1]
    assert open_cases(first) == "6"
    assert not [q["sql"] for q in again.captured_queries if "cases_case" in q["sql"]]
    # Another definition is another rendering of the same figures: no counting either.
    with CaptureQueriesContext(connection) as other:
        narrow = client.get(url, {**query, "definition": "narrow"}).content.decode()
    assert "Thuiszitters (breed)" in first and "Thuiszitters (breed)" not in narrow
    assert not [q["sql"] for q in other.captured_queries if "cases_case" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        case_close(case=cases[0], reason=ClosureReason.MOVED_AWAY, actor=COMMAND)
    assert open_cases(client.get(url, query).content.decode()) == "5"
