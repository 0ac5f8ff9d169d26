"""People on the case page are named as everywhere else (``str(user)``: the full name, else
the e-mail address; a person without an account by the name given) in each section that
reads its rows without model instances (``precompiled_rows``): participants, the people at
a meeting, the journal, the actions and the lead's history."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import (
    action_add,
    case_journal_add,
    case_lead_change,
    meeting_record,
    participant_add,
)
from thuiszitters.roles import RoleCode

from ..factories.users import UserFactory, member
from .test_lists import open_case

pytestmark = pytest.mark.usefixtures("frozen_clock")

UNNAMED = "zonder.naam@example.test"


def _section(body: str, name: str) -> str:
    found = re.search(rf'<section[^>]*id="section-{name}".*?</section>', body, re.S)
    assert found, name
    return re.sub(r"\s+", " ", found.group(0))


def _text(body: str, name: str) -> str:
    """The section's text: tags left out, entities decoded."""
    return re.sub(r" +", " ", html.unescape(re.sub(r"<[^>]+>", " ", _section(body, name))))


@pytest.fixture
def page(world, zc, lp, login):
    named = member(world.bureau, RoleCode.LEERPLICHT, full_name="Noor Naamgever")
    unnamed = member(
        world.bureau, RoleCode.LEERPLICHT, user=UserFactory(full_name="", email=UNNAMED)
    )
    case = open_case(zc, world.school, given_names="Sam", surname="Namen")
    people = [
        participant_add(case=case, actor=lp, role="leerplicht", user=named),
        participant_add(case=case, actor=lp, role="leerplicht", user=unnamed),
        participant_add(case=case, actor=lp, role="other", name="Oma Jansen"),
    ]
    today = timezone.localdate()
    meeting_record(
        case=case,
        actor=lp,
        kind="mdo",
        held_on=today,
        participants=people,
        confirmed_without_consent=True,
    )
    case_journal_add(case=case, actor=unnamed, text="Gebeld met moeder")
    action_add(case=case, actor=lp, description="Bellen", due_on=today, owner_user=unnamed)
    action_add(
        case=case, actor=lp, description="Plek zoeken", due_on=today, owner_organisation=world.swv
    )
    case_lead_change(case=case, organisation=world.bureau, actor=lp, user=unnamed, reason="Wissel")
    response = login(lp).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_participants_by_account_name_else_e_mail_else_the_name_given(page):
    text = _text(page, "participants")
    assert "Noor Naamgever · Leerplichtambtenaar" in text
    assert f"{UNNAMED} · Leerplichtambtenaar" in text
    assert "Oma Jansen · Anders" in text
    assert f'aria-label="{UNNAMED} verwijderen"' in _section(page, "participants")


def test_a_meetings_people_in_the_order_they_joined(page):
    assert f"Noor Naamgever, {UNNAMED}, Oma Jansen" in _text(page, "meetings")


def test_the_journal_names_its_author(page):
    assert f"Gebeld met moeder ({UNNAMED})" in _text(page, "journal")


def test_an_actions_owner_a_person_or_an_organisation(page):
    section = _section(page, "plan")
    assert re.search(rf"Bellen</td> <td[^>]*>{re.escape(UNNAMED)}</td>", section)
    assert re.search(r"Plek zoeken</td> <td[^>]*>SWV PO A</td>", section)


def test_the_lead_names_its_case_manager(page):
    assert f"Leerplicht A ({UNNAMED})" in _text(page, "lead")
