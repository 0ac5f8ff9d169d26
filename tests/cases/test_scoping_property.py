"""The fast scoping equals the plain rules (issue 14, ADR 0019).

``cases_visible_to`` reads the case's copy of its reports' sharing on partial indexes. On
random cases, reports and consent statements, written through the services, it must list
exactly the cases that the rules of DESIGN.md 4.3 give, evaluated here in Python from the
reports themselves: a school sees its own and led cases; the SWV and leerplicht see a case in
their area only when one of its reports is shared with them."""

import random

import pytest

from cases.models import Case, CaseReport
from cases.selectors import cases_visible_to
from cases.services import absence_report_submit
from cases.workflow import Phase
from registration.models import AbsenceReport, ConsentScope, ConsentStatus
from registration.selectors import personal_data_orgs
from thuiszitters.models import LeerplichtBureau, OrganisationKind
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.registration import report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")


def plain_rules(user, cases, shared) -> set[int]:
    ids = personal_data_orgs(user)
    schools = ids[OrganisationKind.SCHOOL]
    served = (
        set(
            LeerplichtBureau.municipalities.through.objects.filter(
                leerplichtbureau_id__in=ids[OrganisationKind.LEERPLICHT_BUREAU]
            ).values_list("municipality_id", flat=True)
        )
        | ids[OrganisationKind.MUNICIPALITY]
    )
    visible = set()
    for case in cases:
        swv_shared, leerplicht_shared = shared[case.pk]
        if (
            case.school_id in schools
            or case.lead_organisation_id in schools
            or (case.swv_id in ids[OrganisationKind.SWV] and swv_shared)
            or (case.municipality_id in served and leerplicht_shared)
        ):
            visible.add(case.pk)
    return visible


def reports_sharing() -> dict[int, tuple[bool, bool]]:
    shared = dict.fromkeys(Case.objects.values_list("pk", flat=True), (False, False))
    links = CaseReport.objects.values_list(
        "case_id", "report__shared_with_swv", "report__shared_with_leerplicht"
    )
    for case_id, swv, leerplicht in links:
        old = shared[case_id]
        shared[case_id] = (old[0] or swv, old[1] or leerplicht)
    return shared


def case_flags() -> dict[int, tuple[bool, bool]]:
    return {
        pk: (swv, leerplicht)
        for pk, swv, leerplicht in Case.objects.values_list(
            "pk", "shared_with_swv", "shared_with_leerplicht"
        )
    }


@pytest.mark.parametrize("seed", range(6))
def test_the_fast_scoping_lists_what_the_plain_rules_give(world, user_with_role, seed):
    rng = random.Random(seed)
    schools = [world.school, world.school2, world.vo_school, world.other_school]
    for _ in range(10):
        school = rng.choice(schools)
        CaseFactory(
            school=school,
            phase=rng.choice([Phase.SCHOOL, Phase.CASUSREGISSEUR, Phase.CLOSED]),
            lead_organisation=rng.choice([school, school.swv, world.bureau]),
            report__shared=rng.random() < 0.5,
            report__kind=rng.choice(["unauthorised", "sickness"]),
        )
    reporters = {s.pk: user_with_role(RoleCode.ZORGCOORDINATOR, organisation=s) for s in schools}
    for case in Case.objects.open().select_related("school", "pupil"):
        # A second report through the intake: it joins the case and may share it (every
        # case not shared yet gets one, so the intake's own refresh is exercised).
        if not case.shared_with_swv or rng.random() < 0.5:
            absence_report_submit(
                actor=reporters[case.school_id],
                reporting_organisation=case.school,
                data=report_input(case.pupil, kind=rng.choice(["unauthorised", "sickness"])),
                channel="form",
            )
    assert case_flags() == reports_sharing()
    for case in Case.objects.select_related("pupil"):
        # Consent given or withdrawn: the reports' sharing and the case's copy follow.
        for _ in range(rng.randint(0, 2)):
            consent_give(
                case.pupil,
                rng.choice([ConsentScope.SHARE_WITH_SWV, ConsentScope.SHARE_WITH_LEERPLICHT]),
                "parents",
                status=rng.choice([ConsentStatus.GIVEN, ConsentStatus.WITHDRAWN]),
            )

    shared = reports_sharing()
    assert AbsenceReport.objects.filter(shared_with_swv=False).exists()
    assert AbsenceReport.objects.filter(shared_with_swv=True).exists()
    assert case_flags() == shared
    cases = list(Case.objects.all())
    users = [
        *reporters.values(),
        user_with_role(RoleCode.SWV_CONSULTANT, organisation=world.swv),
        user_with_role(RoleCode.SWV_CONSULTANT, organisation=world.swv_vo),
        user_with_role(RoleCode.SWV_CONSULTANT, organisation=world.other_swv),
        user_with_role(RoleCode.CASUSREGISSEUR, organisation=world.swv),
        user_with_role(RoleCode.LEERPLICHT, organisation=world.bureau),
        user_with_role(RoleCode.POLICY, organisation=world.m1),
        user_with_role(RoleCode.CARE_PARTNER, organisation=world.care),
    ]
    seen = 0
    for user in users:
        visible = set(cases_visible_to(user).values_list("pk", flat=True))
        assert visible == plain_rules(user, cases, shared), user
        seen += len(visible)
    assert seen  # the scenario is not empty
