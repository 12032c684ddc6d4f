"""A municipality's own demo story: ``municipalities/<slug>/demo/story.toml``.

A real municipality's story (Oldambt's werkconferentie of 23 March 2023, Coevorden's ontwerp
laid open from 31 May 2017) is data, not code: its stakeholders, plans with text, themes,
goals and actions, and the events in the order they happened — workflow steps with their
historical decision dates, meetings with their tables and post-its, comment periods with
their reactions and answers. Everything goes through the same services as the pages, so
rules are checked, last days are computed (never typed in) and the audit trail is filled.

When the file exists it replaces the core's fictional Koersdam story. A mistake in the file
stops ``koers demo setup`` with a :class:`StoryError` naming the file and the entry.

The story is loaded only into an instance without plans, so running it again adds nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.consultations import services as consultations
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.database import db
from app.errors import DomainError
from app.municipality import Municipality
from app.plans import services as plans
from app.plans import transitions
from app.plans.models import Plan, Section, Theme
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData

Entry = Mapping[str, Any]


class StoryError(Exception):
    """A mistake in a story file, with where it is."""

    def __init__(self, source: Path, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")


def story_file(municipality: Municipality) -> Path:
    return municipality.folder / "demo" / "story.toml"


def has_story(municipality: Municipality) -> bool:
    return story_file(municipality).is_file()


def load_story(municipality: Municipality, actor: Any) -> tuple[int, int]:
    """Load the story once; returns (stakeholders, plans) added."""
    path = story_file(municipality)
    if db.session.scalar(select(func.count()).select_from(Plan)):
        return 0, 0
    try:
        with path.open("rb") as handle:
            story = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise StoryError(path, "(file)", f"is not valid TOML ({error})") from error
    loader = _Loader(path, municipality, actor)
    stakeholders = loader.stakeholders(story.get("stakeholders", []))
    for index, entry in enumerate(story.get("plans", []), start=1):
        loader.plan(entry, f"plans[{index}]")
    return stakeholders, len(story.get("plans", []))


class _Loader:
    def __init__(self, source: Path, municipality: Municipality, actor: Any) -> None:
        self.source = source
        self.zone = ZoneInfo(municipality.timezone)
        self.actor = actor
        self.people: dict[str, Stakeholder] = {}

    # --- reading ---------------------------------------------------------------------------

    def fail(self, where: str, problem: str) -> StoryError:
        return StoryError(self.source, where, problem)

    def required(self, entry: Entry, key: str, where: str) -> Any:
        if key not in entry:
            raise self.fail(where, f"'{key}' is missing")
        return entry[key]

    def stakeholder(self, name: str | None, where: str) -> Stakeholder | None:
        if not name:
            return None
        if name not in self.people:
            found = db.session.scalar(select(Stakeholder).where(Stakeholder.name == name))
            if found is None:
                raise self.fail(where, f"names '{name}', who is not among the stakeholders")
            self.people[name] = found
        return self.people[name]

    def moment(self, value: Any, where: str) -> datetime | None:
        """A local date-time of the story (no offset: the municipality's time zone)."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise self.fail(where, f"'{value}' is not a date and time such as "
                                   "2023-03-23T13:00:00")
        local = value if value.tzinfo else value.replace(tzinfo=self.zone)
        return local.astimezone(UTC)

    @staticmethod
    def day(value: Any) -> date | None:
        return value if isinstance(value, date) and not isinstance(value, datetime) else None

    def amount(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation as error:
            raise self.fail(where, f"'{value}' is not an amount such as \"12500.00\"") from error

    # --- creating --------------------------------------------------------------------------

    def stakeholders(self, entries: list[Entry]) -> int:
        added = 0
        for index, entry in enumerate(entries, start=1):
            where = f"stakeholders[{index}]"
            name = self.required(entry, "name", where)
            if db.session.scalar(select(Stakeholder.id).where(Stakeholder.name == name)):
                continue
            try:
                self.people[name] = register.create(StakeholderData(
                    name=name, kind=entry.get("kind", "person"),
                    categories=list(entry.get("categories", [])), email=entry.get("email"),
                    place=entry.get("place"), website=entry.get("website"),
                    tags=list(entry.get("tags", []))), actor=self.actor)
            except DomainError as error:
                raise self.fail(where, error.message) from error
            added += 1
        db.session.flush()
        return added

    def plan(self, entry: Entry, where: str) -> Plan:
        sponsor = self.stakeholder(entry.get("sponsor"), f"{where}.sponsor")
        try:
            plan = plans.create_plan(PlanData(
                title=self.required(entry, "title", where),
                kind=self.required(entry, "kind", where), summary=entry.get("summary"),
                laws=list(entry.get("laws", [])), period_start=self.day(entry.get("start")),
                period_end=self.day(entry.get("end")), owner_id=getattr(self.actor, "id", None),
                sponsor_id=sponsor.id if sponsor else None), actor=self.actor)
            for index, section in enumerate(entry.get("sections", []), start=1):
                plans.add_section(plan, self.required(section, "title",
                                                      f"{where}.sections[{index}]"),
                                  section.get("body", ""), actor=self.actor)
            for index, theme in enumerate(entry.get("themes", []), start=1):
                self.theme(plan, theme, f"{where}.themes[{index}]")
            db.session.flush()
        except DomainError as error:
            raise self.fail(where, error.message) from error
        for index, event in enumerate(entry.get("events", []), start=1):
            self.event(plan, event, f"{where}.events[{index}]")
        return plan

    def theme(self, plan: Plan, entry: Entry, where: str) -> None:
        theme = programme.add_theme(plan, self.required(entry, "name", where),
                                    entry.get("description"), actor=self.actor)
        for goal in entry.get("goals", []):
            programme.add_goal(theme, goal, actor=self.actor)
        for index, action in enumerate(entry.get("actions", []), start=1):
            at = f"{where}.actions[{index}]"
            trekker = self.stakeholder(action.get("trekker"), f"{at}.trekker")
            partners = [self.stakeholder(name, f"{at}.partners") for name in
                        action.get("partners", [])]
            programme.add_action(plan, ActionData(
                title=self.required(action, "title", at), theme_id=theme.id,
                trekker_id=trekker.id if trekker else None,
                partner_ids=[p.id for p in partners if p is not None],
                budget=self.amount(action.get("budget"), f"{at}.budget"),
                start_date=self.day(action.get("start")), end_date=self.day(action.get("end"))),
                actor=self.actor)

    def event(self, plan: Plan, event: Entry, where: str) -> None:
        """One thing that happened, in order: a workflow step, or a consultation."""
        try:
            if "step" in event:
                values = {key: value for key, value in event.items() if key != "step"}
                transitions.take(plan, event["step"], user=self.actor, values=values)
            elif "consultation" in event:
                self.consultation(plan, event["consultation"], where)
            else:
                raise self.fail(where, "is neither a 'step' nor a 'consultation'")
            db.session.flush()
        except DomainError as error:
            raise self.fail(where, error.message) from error

    def consultation(self, plan: Plan, entry: Entry, where: str) -> None:
        if entry.get("opened_by_step"):
            # The workflow opened it (a plugin's effect): fill in the one it made.
            consultation = db.session.scalar(
                select(Consultation).where(Consultation.plan_id == plan.id,
                                           Consultation.format == entry.get("format"))
                .order_by(Consultation.id.desc()))
            if consultation is None:
                raise self.fail(where, "says the step opened it, but no consultation of "
                                       f"format '{entry.get('format')}' exists")
        else:
            organiser = self.stakeholder(entry.get("organiser"), f"{where}.organiser")
            consultation = consultations.create_consultation(plan, ConsultationData(
                title=self.required(entry, "title", where),
                format=self.required(entry, "format", where),
                description=entry.get("description"),
                starts_at=self.moment(entry.get("starts_at"), f"{where}.starts_at"),
                ends_at=self.moment(entry.get("ends_at"), f"{where}.ends_at"),
                location=entry.get("location"), organiser_id=organiser.id if organiser else None,
                channels=list(entry.get("channels", [])),
                published_on=self.day(entry.get("published_on")),
                legal_basis=entry.get("legal_basis")), actor=self.actor)
        themes = {theme.name: theme for theme in programme.themes_of(plan)}
        for index, table in enumerate(entry.get("tables", []), start=1):
            self.table(consultation, table, themes, f"{where}.tables[{index}]")
        for name in entry.get("attended", []):
            person = self.stakeholder(name, f"{where}.attended")
            if person is not None:
                consultations.register_participant(consultation, person, attended=True,
                                                   actor=self.actor)
        for index, reaction in enumerate(entry.get("reactions", []), start=1):
            self.reaction(consultation, reaction, themes, f"{where}.reactions[{index}]")
        sections = {section.title: section for section in plans.sections_of(plan)}
        for index, answer in enumerate(entry.get("answers", []), start=1):
            self.answer(consultation, answer, sections, f"{where}.answers[{index}]")

    def table(self, consultation: Consultation, entry: Entry, themes: dict[str, Theme],
              where: str) -> None:
        theme = self._theme(themes, entry.get("theme"), where)
        table = consultations.add_table(
            consultation, self.required(entry, "topic", where),
            facilitator=self.stakeholder(entry.get("facilitator"), f"{where}.facilitator"),
            theme=theme, actor=self.actor)
        items = []
        for index, note in enumerate(entry.get("inputs", []), start=1):
            at = f"{where}.inputs[{index}]"
            items.append(InputData(
                original_text=self.required(note, "text", at), kind=note.get("kind", "idee"),
                participant_group=note.get("group", "onbekend"), table_id=table.id,
                summary=note.get("summary"), theme_ids=[theme.id] if theme else []))
        if items:
            added = input_services.add_inputs(consultation, items, actor=self.actor)
            used = [item for item, note in zip(added, entry["inputs"], strict=True)
                    if note.get("used")]
            if used:
                answers.mark_processed(used, used=True, actor=self.actor)

    def reaction(self, consultation: Consultation, entry: Entry, themes: dict[str, Theme],
                 where: str) -> None:
        author = self.stakeholder(entry.get("from"), f"{where}.from")
        theme_ids = [t.id for name in entry.get("themes", [])
                     if (t := self._theme(themes, name, where)) is not None]
        co_signatories = [self.stakeholder(name, f"{where}.co_signatories")
                          for name in entry.get("co_signatories", [])]
        input_services.add_input(consultation, InputData(
            original_text=self.required(entry, "text", where),
            summary=entry.get("summary"), kind=entry.get("kind", "zienswijze"),
            channel=entry.get("channel", "brief"),
            stakeholder_id=author.id if author else None,
            participant_group=entry.get("group"),
            received_on=self.day(entry.get("received_on")),
            postmarked_on=self.day(entry.get("postmarked_on")), theme_ids=theme_ids,
            co_signatory_ids=[p.id for p in co_signatories if p is not None]), actor=self.actor)

    def answer(self, consultation: Consultation, entry: Entry,
               sections: dict[str, Section], where: str) -> None:
        numbers = list(self.required(entry, "reactions", where))
        inputs = list(db.session.scalars(select(Input).where(
            Input.consultation_id == consultation.id, Input.number.in_(numbers))))
        if len(inputs) != len(set(numbers)):
            raise self.fail(where, f"answers reactions {numbers}, but not all of them exist")
        section_title = entry.get("changed_section")
        if section_title and section_title not in sections:
            raise self.fail(where, f"names the section '{section_title}', which the plan "
                                   "does not have")
        answers.answer(inputs, self.required(entry, "text", where),
                             self.required(entry, "decision", where),
                             changed_section=sections.get(section_title or ""),
                             actor=self.actor)

    def _theme(self, themes: dict[str, Theme], name: str | None, where: str) -> Theme | None:
        if not name:
            return None
        if name not in themes:
            raise self.fail(where, f"names the theme '{name}', which the plan does not have")
        return themes[name]
