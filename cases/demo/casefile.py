"""Recording a demo case file through the case services, each step on its story's day.

Whoever's job it is does it: the reporter (the school's zorgcoordinator, or leerplicht) until
the handover in week 4, the case's lead after it. A lead who may not read the case (no
consent shares a report with their organisation) works from the restricted view, where the
services let them do nothing but ask for consent; the school keeps the file then.
"""

import datetime
from typing import Any

from ..models import Action, ActionStatus, Case, Goal, Participant
from ..services import (
    action_add,
    action_status_set,
    arrangement_record,
    case_close,
    case_details_update,
    case_journal_add,
    check_in_record,
    goal_add,
    meeting_record,
    participant_add,
)
from .days import at, local_day
from .fileplan import FilePlan
from .people import Cast
from .stories import Story
from .texts import ARRANGEMENT_NOTE, CHECK_IN_NOTE, DECISIONS, MEETING_NOTES
from .timetravel import happening_at


class CaseFileWriter:
    def __init__(self, *, case: Case, story: Story, cast: Cast, reporter, lead_sees: bool):
        self.case = case
        self.story = story
        self.cast = cast
        self.reporter = reporter
        self.lead = case.lead_user
        self.lead_sees = lead_sees
        self.people: list[tuple[Participant, object]] = []  # (participant, added when)

    def worker(self, when):
        handover = self.story.handover
        if handover is None or when < handover or not self.lead_sees or self.lead is None:
            return self.reporter
        return self.lead

    def at(self, when):
        return happening_at(self.case.pupil_id, when)

    def write(self, file: FilePlan) -> None:
        self._details(file)
        for person in file.people:
            self._participant(person)
        if file.conversation:
            when, text = file.conversation
            with self.at(when) as moment:
                case_journal_add(
                    case=self.case, actor=self.reporter, text=text, kind="conversation", on=moment
                )
        actions = self._plan(file, file.goal) if file.goal else []
        for meeting in file.meetings:
            actions += self._meeting(meeting)
        if file.arrangement:
            arrangement = dict(file.arrangement)
            with self.at(arrangement.pop("when")) as moment:
                arrangement_record(
                    case=self.case,
                    actor=self.worker(moment),
                    description=ARRANGEMENT_NOTE,
                    **arrangement,
                )
        for action, done_at in sorted(actions, key=lambda pair: pair[1]):
            with self.at(done_at) as moment:
                actor = (
                    self.lead if action.owner_user_id == getattr(self.lead, "pk", None) else None
                )
                action_status_set(
                    action=action, status=ActionStatus.DONE, actor=actor or self.worker(moment)
                )
        if self.story.closed_at is not None:
            self._close(file)

    def _details(self, file: FilePlan) -> None:
        for fields in (file.ladder, file.details):
            if fields:
                with self.at(file.details_at) as moment:
                    case_details_update(case=self.case, actor=self.worker(moment), **fields)

    def _participant(self, person) -> None:
        user = organisation = None
        if person.who == "reporter":
            user = self.reporter
            organisation = self.cast.organisation(self.case.school_id or self.cast.bureau.pk)
        elif person.who == "lead":
            if self.lead is None or self.lead.pk == self.reporter.pk:
                return
            user = self.lead
            organisation = self.cast.organisation(self.case.lead_organisation_id)
        elif person.who:
            member = getattr(self.cast, person.who)
            user, organisation = member.user, member.organisation
        with self.at(person.when) as moment:
            participant = participant_add(
                case=self.case,
                actor=self.worker(moment),
                role=person.role,
                user=user,
                organisation=organisation,
                name=person.name,
            )
        self.people.append((participant, moment))

    def _plan(
        self, file: FilePlan, goal_plan: dict[str, Any]
    ) -> list[tuple[Action, datetime.datetime]]:
        goal_fields = dict(goal_plan)
        when, achieved_on = goal_fields.pop("when"), goal_fields.pop("achieved_on")
        with self.at(when) as moment:
            goal = goal_add(case=self.case, actor=self.worker(moment), **goal_fields)
        if achieved_on is not None:
            # No service marks a goal achieved yet (the case page cannot either): the demo
            # dates it on the day the offer closed the case.
            Goal._base_manager.filter(pk=goal.pk).update(achieved_on=achieved_on)
        owner_organisation = self.cast.organisation(
            self.case.school_id or self.case.lead_organisation_id
        )
        done = []
        for planned in file.actions:
            with self.at(planned.when) as moment:
                action = action_add(
                    case=self.case,
                    actor=self.worker(moment),
                    description=planned.text,
                    due_on=planned.due_on,
                    owner_user=self.lead if planned.by_lead else None,
                    owner_organisation=None if planned.by_lead else owner_organisation,
                    goal=goal,
                )
            if planned.done_at is not None:
                done.append((action, planned.done_at))
        return done

    def _meeting(self, planned) -> list[tuple[Action, datetime.datetime]]:
        decisions = DECISIONS[planned.kind]
        with self.at(planned.held) as moment:
            present = [p for p, added in self.people if added <= moment]
            meeting = meeting_record(
                case=self.case,
                actor=self.worker(moment),
                kind=planned.kind,
                held_on=local_day(moment),
                notes=MEETING_NOTES,
                participants=present or [p for p, _ in self.people[:1]],
                parents_present=planned.parents_present,
                pupil_present=planned.pupil_present,
                decisions=decisions,
                # Not every demo family consented to an MDO; the journal then says so.
                confirmed_without_consent=True,
                actions=[
                    {
                        "description": f"Uitvoeren: {decisions[0]}",
                        "due_on": planned.follow_up_due,
                        "owner_user": self.lead,
                        "decision": 0,
                    }
                ],
            )
        if planned.follow_up_done_at is None:
            return []
        action = Action.objects.filter(decision__meeting=meeting).first()
        return [] if action is None else [(action, planned.follow_up_done_at)]

    def _close(self, file: FilePlan) -> None:
        story = self.story
        with self.at(story.closed_at) as moment:
            case_close(
                case=self.case,
                reason=story.closed_reason,
                actor=self.worker(moment),
                note=story.closed_note,
                offer_started_on=file.first_offer_started_on,
            )
        check_ins = self.case.check_ins.order_by("due_on", "pk")
        for check_in, done in zip(check_ins, file.check_ins, strict=False):
            if done is None:
                continue
            done_on, outcome = done
            with self.at(at(done_on, 11)) as moment:
                check_in_record(
                    check_in=check_in,
                    actor=self.worker(moment),
                    outcome=outcome,
                    note=CHECK_IN_NOTE,
                    on=done_on,
                )
