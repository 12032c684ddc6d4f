"""Suggested groups: open written reactions that say much the same thing, proposed by a job and
accepted, split, merged, assigned and answered by the adviser.

The clustering is average-link agglomeration on the TF-IDF cosine of
:mod:`app.consultations.inputs.similarity`: two groups merge while the average similarity of
all their pairs is at least :data:`GROUP_FROM`. Average link was chosen over single link
(which chains unrelated reactions through one shared word) and a leader algorithm (which
depends on the order of the reactions) by measurement on a labelled set of Dutch reactions:
``python -m tests.benchmarks.grouping`` prints the pairwise precision and recall of each."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from app.audit.services import audit
from app.auth.models import User
from app.consultations.inputs.models import (
    Input,
    InputAnswer,
    SuggestedGroup,
    SuggestedGroupInput,
)
from app.consultations.inputs.similarity import Corpus, Vector, text_of
from app.consultations.models import Consultation
from app.consultations.rules import conflict_on_race, refuse_read_only_plan
from app.database import db
from app.errors import DomainError, check_version
from app.jobs.services import JobContext, job, started_by
from app.labels import register as register_label
from app.stakeholders.services import BARE
from app.translate import lazy_gettext as _l

#: Groups merge while their average cosine is at least this (chosen on the labelled set).
GROUP_FROM = 0.25
#: Words in a group's label.
LABEL_WORDS = 3


# --- clustering (pure: texts in, groups of keys out) ----------------------------------------

def agglomerate(corpus: Corpus, threshold: float = GROUP_FROM, *,
                linkage: str = "centroid") -> list[list[int]]:
    """Agglomerative clustering: repeatedly merge the two most alike clusters while they are
    at least ``threshold`` alike. ``linkage`` "centroid": the cosine of the clusters' summed
    vectors; "average": the average cosine of their pairs. Both follow from the summed pair
    cosines S(a, b) (S(a, a) counting each member with itself): centroid = S(a, b) /
    √(S(a, a)·S(b, b)), average = S(a, b) / (|a|·|b|). Only clusters that share a term are
    ever compared (an inverted index and a heap), so a few thousand reactions cluster in
    seconds."""
    cross: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), score in corpus.pairs(threshold=1e-9).items():
        cross[a][b] = score
        cross[b][a] = score
    members: dict[int, list[int]] = {key: [key] for key in corpus.vectors}
    within: dict[int, float] = {key: 1.0 for key in corpus.vectors}

    def alike(a: int, b: int) -> float:
        total = cross[a].get(b, 0.0)
        if linkage == "average":
            return total / (len(members[a]) * len(members[b]))
        return total / ((within[a] * within[b]) ** 0.5)

    heap = [(-score, a, b) for a, row in cross.items() for b, score in row.items()
            if a < b and score >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or abs(alike(a, b) + negative) > 1e-12:
            continue  # merged away, or a stale entry: the pair was pushed again since
        # Merge b into a: summed cosines with a third cluster add up.
        within[a] += within.pop(b) + 2 * cross[a][b]
        members[a].extend(members.pop(b))
        row_b = cross.pop(b)
        row_b.pop(a, None)
        cross[a].pop(b, None)
        for c, score in row_b.items():
            cross[c].pop(b, None)
            total = cross[a].get(c, 0.0) + score
            cross[a][c] = total
            cross[c][a] = total
        for c in cross[a]:
            score = alike(a, c)
            if score >= threshold:
                heapq.heappush(heap, (-score, min(a, c), max(a, c)))
    return _ordered(members.values())


def average_link(corpus: Corpus, threshold: float) -> list[list[int]]:
    return agglomerate(corpus, threshold, linkage="average")


def centroid_link(corpus: Corpus, threshold: float) -> list[list[int]]:
    return agglomerate(corpus, threshold, linkage="centroid")


def single_link(corpus: Corpus, threshold: float) -> list[list[int]]:
    """Connected pieces of the graph of pairs at least ``threshold`` alike (for comparison)."""
    parent = {key: key for key in corpus.vectors}

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in corpus.pairs(threshold):
        parent[root(a)] = root(b)
    clusters: dict[int, list[int]] = defaultdict(list)
    for key in corpus.vectors:
        clusters[root(key)].append(key)
    return _ordered(clusters.values())


def leader(corpus: Corpus, threshold: float) -> list[list[int]]:
    """One pass in key order: each text joins the cluster whose centroid it is most alike, if
    at least ``threshold``, else starts one (for comparison)."""
    centroids: list[Vector] = []
    clusters: list[list[int]] = []
    for key in sorted(corpus.vectors):
        vector = corpus.vectors[key]
        best, best_score = -1, threshold
        for index, centroid in enumerate(centroids):
            score = sum(w * centroid.get(t, 0.0) for t, w in vector.items())
            if score >= best_score:
                best, best_score = index, score
        if best < 0:
            centroids.append(dict(vector))
            clusters.append([key])
            continue
        clusters[best].append(key)
        size = len(clusters[best])
        merged = defaultdict(float, {t: w * (size - 1) / size
                                     for t, w in centroids[best].items()})
        for t, w in vector.items():
            merged[t] += w / size
        norm = sum(w * w for w in merged.values()) ** 0.5
        centroids[best] = {t: w / norm for t, w in merged.items()}
    return _ordered(clusters)


def _ordered(clusters: object) -> list[list[int]]:
    """Clusters of two or more, each sorted, largest first (ties by first key)."""
    found = [sorted(cluster) for cluster in clusters if len(cluster) >= 2]  # type: ignore[attr-defined]
    return sorted(found, key=lambda cluster: (-len(cluster), cluster[0]))


def cluster_texts(texts: Mapping[int, str], threshold: float = GROUP_FROM, *,
                  stemming: bool = True) -> list[list[int]]:
    """The chosen method on a set of texts: groups of two or more keys, largest first."""
    return agglomerate(Corpus.of(texts, stemming=stemming), threshold)


def label_of(corpus: Corpus, keys: list[int]) -> str:
    """A group's label: its heaviest terms, as the words they most often came from."""
    return ", ".join(corpus.top_terms(keys, LABEL_WORDS))


# --- the groups of a consultation -----------------------------------------------------------

#: The job that replaces a consultation's suggested groups with fresh proposals.
KIND = "consultations.propose_groups"
SUGGESTED, ACCEPTED = "suggested", "accepted"
STATUSES: dict[str, Any] = {SUGGESTED: _l("Suggested"), ACCEPTED: _l("Accepted")}
#: A label is cut at the column's length.
LABEL_LENGTH = 200

register_label("job", KIND, _l("proposing groups of similar inputs"))
register_label("entity", "consultation_suggested_groups", _l("Group of inputs"))
for _code, _label in {
    "propose_groups": _l("proposed groups of similar inputs"),
    "accept_group": _l("accepted a group"), "split_group": _l("split a group"),
    "merge_group": _l("merged a group into another"),
    "remove_from_group": _l("removed inputs from a group"),
    "assign_group": _l("assigned a group"),
}.items():
    register_label("action", _code, _label)
for _code, _label in {"label": _l("Label"), "status": _l("Status"),
                      "assigned_to": _l("Assigned to"), "groups": _l("Groups"),
                      "group": _l("Group")}.items():
    register_label("field", _code, _label)


def _written() -> Any:
    """A written reaction: not given at a meeting (no table, not spoken)."""
    return Input.table_id.is_(None) & (Input.channel != "mondeling")


def _unanswered() -> Any:
    """Neither answered nor processed."""
    return Input.id.not_in(select(InputAnswer.input_id)) & Input.processed.is_(False)


def _in_accepted(consultation_id: int) -> Any:
    return select(SuggestedGroupInput.input_id).join(
        SuggestedGroup, SuggestedGroup.id == SuggestedGroupInput.group_id).where(
        SuggestedGroup.consultation_id == consultation_id, SuggestedGroup.status == ACCEPTED)


def groupable_texts(consultation: Consultation) -> dict[int, str]:
    """The text of every open written reaction of the consultation not in an accepted group
    (one query): what the job clusters."""
    return {input_id: text_of(original, summary) for input_id, original, summary in
            db.session.execute(select(Input.id, Input.original_text, Input.summary).where(
                Input.consultation_id == consultation.id, _written(), _unanswered(),
                Input.id.not_in(_in_accepted(consultation.id))))}


@dataclass(frozen=True)
class Proposal:
    label: str
    input_ids: list[int]


def proposals(consultation: Consultation) -> list[Proposal]:
    """Groups of two or more similar open written reactions, largest first, each labelled."""
    corpus = Corpus.of(groupable_texts(consultation))
    return [Proposal(label_of(corpus, cluster)[:LABEL_LENGTH], cluster)
            for cluster in agglomerate(corpus)]


def propose_groups(consultation: Consultation) -> list[list[int]]:
    """The input ids of each proposed group (nothing is written)."""
    return [proposal.input_ids for proposal in proposals(consultation)]


def replace_suggestions(consultation: Consultation, *, actor: Any = None
                        ) -> list[SuggestedGroup]:
    """The consultation's suggested groups replaced by fresh proposals; accepted groups and
    their members stay as they are. Audited as one event on the consultation."""
    refuse_read_only_plan(consultation)
    found = proposals(consultation)
    old = select(SuggestedGroup.id).where(SuggestedGroup.consultation_id == consultation.id,
                                          SuggestedGroup.status == SUGGESTED)
    removed = db.session.scalar(select(func.count()).select_from(old.subquery())) or 0
    db.session.execute(delete(SuggestedGroupInput).where(SuggestedGroupInput.group_id.in_(old)))
    db.session.execute(delete(SuggestedGroup).where(SuggestedGroup.id.in_(
        old.scalar_subquery())).execution_options(synchronize_session=False))
    made = []
    for proposal in found:
        group = SuggestedGroup(consultation_id=consultation.id, label=proposal.label,
                               status=SUGGESTED)
        db.session.add(group)
        made.append(group)
    db.session.flush()
    db.session.add_all(SuggestedGroupInput(group_id=group.id, input_id=input_id)
                       for group, proposal in zip(made, found, strict=True)
                       for input_id in proposal.input_ids)
    db.session.flush()
    audit("propose_groups", consultation, actor=actor,
          changes={"groups": {"old": removed, "new": len(made)}})
    return made


@job(KIND)
def propose_groups_job(context: JobContext, consultation_id: int) -> dict[str, Any]:
    """Replace the suggested groups. Safe to retry: it replaces them again."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return {"state": "gone"}
    actor = started_by(context.job_id)
    context.progress(10)
    made = replace_suggestions(consultation, actor=actor)
    db.session.commit()
    return {"groups": len(made), "inputs": sum(1 for _ in _members_of([g.id for g in made]))}


# --- reading --------------------------------------------------------------------------------

@dataclass
class GroupView:
    """A group as its page shows it: the group, its members (with their senders) and how
    many of them are answered or processed."""

    group: SuggestedGroup
    members: list[Input]
    done_ids: set[int]

    @property
    def answered(self) -> int:
        return len(self.done_ids)

    @property
    def open_ids(self) -> list[int]:
        """The members still to answer: what "answer this group" starts with."""
        return [item.id for item in self.members if item.id not in self.done_ids]


def _members_of(group_ids: Sequence[int]) -> Iterable[tuple[int, int]]:
    if not group_ids:
        return []
    return db.session.execute(select(SuggestedGroupInput.group_id, SuggestedGroupInput.input_id)
                              .where(SuggestedGroupInput.group_id.in_(list(group_ids)))).all()


def groups_query(consultation: Consultation) -> Any:
    """The consultation's groups: accepted first, then as proposed (largest first)."""
    return select(SuggestedGroup).where(SuggestedGroup.consultation_id == consultation.id) \
        .order_by(SuggestedGroup.status, SuggestedGroup.id)


def group_views(groups: Sequence[SuggestedGroup]) -> list[GroupView]:
    """The groups with their members, by number, and their answered counts (two queries)."""
    ids = [group.id for group in groups]
    members: dict[int, list[Input]] = defaultdict(list)
    done_ids: dict[int, set[int]] = defaultdict(set)
    if ids:
        done = (Input.id.in_(select(InputAnswer.input_id)) | Input.processed.is_(True))
        for group_id, item, is_done in db.session.execute(
                select(SuggestedGroupInput.group_id, Input, done)
                .join(Input, Input.id == SuggestedGroupInput.input_id)
                .where(SuggestedGroupInput.group_id.in_(ids))
                .options(joinedload(Input.stakeholder).options(*BARE))
                .order_by(Input.number)):
            members[group_id].append(item)
            if is_done:
                done_ids[group_id].add(item.id)
    return [GroupView(group, members[group.id], done_ids[group.id]) for group in groups]


def group_choices(consultation: Consultation) -> list[tuple[int, str]]:
    """The consultation's groups as (id, label), as listed: for a filter by group."""
    return [(group_id, label) for group_id, label in db.session.execute(
        groups_query(consultation).with_only_columns(SuggestedGroup.id, SuggestedGroup.label))]


def groups_of_inputs(input_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Per input the (id, label) of its group, with one query: a list's group column."""
    ids = list(input_ids)
    if not ids:
        return {}
    return {input_id: (group_id, label) for input_id, group_id, label in db.session.execute(
        select(SuggestedGroupInput.input_id, SuggestedGroup.id, SuggestedGroup.label)
        .join(SuggestedGroup, SuggestedGroup.id == SuggestedGroupInput.group_id)
        .where(SuggestedGroupInput.input_id.in_(ids)))}


def staff_choices(assigned_ids: Iterable[int] = ()) -> list[tuple[int, str]]:
    """Active staff (and whoever a group is assigned to now), by name: who a group can be
    assigned to."""
    keep = [user_id for user_id in assigned_ids if user_id]
    shown = User.active.is_(True) | User.id.in_(keep) if keep else User.active.is_(True)
    return [(user_id, name) for user_id, name in db.session.execute(
        select(User.id, User.name).where(shown).order_by(User.name, User.id))]


# --- changing -------------------------------------------------------------------------------

def _member_ids(group: SuggestedGroup) -> list[int]:
    return list(db.session.scalars(select(SuggestedGroupInput.input_id).where(
        SuggestedGroupInput.group_id == group.id).order_by(SuggestedGroupInput.input_id)))


def _touch(group: SuggestedGroup) -> None:
    """A change of members alone still makes a new version of the group (a stale form that
    showed the old members is then refused)."""
    flag_modified(group, "label")


def _checked(group: SuggestedGroup, expected_version: int | None) -> None:
    refuse_read_only_plan(consultation_id=group.consultation_id)
    check_version(group, expected_version)


def _relabel(group: SuggestedGroup, input_ids: Sequence[int]) -> None:
    """A group's label from its members' own words, weighted over the consultation."""
    texts = {input_id: text_of(original, summary) for input_id, original, summary in
             db.session.execute(select(Input.id, Input.original_text, Input.summary).where(
                 Input.consultation_id == group.consultation_id, _written()))}
    label = label_of(Corpus.of(texts), list(input_ids))[:LABEL_LENGTH]
    if label:
        group.label = label


def accept_group(group: SuggestedGroup, *, expected_version: int | None = None,
                 actor: Any = None) -> None:
    _checked(group, expected_version)
    if group.status == ACCEPTED:
        return
    with conflict_on_race(group):
        group.status = ACCEPTED
        db.session.flush()
    audit("accept_group", group, actor=actor,
          changes={"status": {"old": SUGGESTED, "new": ACCEPTED}})


def split_group(group: SuggestedGroup, input_ids: Iterable[int], *,
                expected_version: int | None = None, actor: Any = None) -> SuggestedGroup:
    """The chosen members moved into a new group (accepted: the adviser made it); both
    groups are named again from their members."""
    _checked(group, expected_version)
    members = _member_ids(group)
    moving = sorted(set(input_ids) & set(members))
    if not moving:
        raise DomainError(_l("Choose the inputs to move into a new group."), field="input_ids")
    if len(moving) == len(members):
        raise DomainError(_l("Leave at least one input in the group, or merge it instead."),
                          field="input_ids")
    staying = [input_id for input_id in members if input_id not in moving]
    created = SuggestedGroup(consultation_id=group.consultation_id, label=group.label,
                             status=ACCEPTED, assigned_to_id=group.assigned_to_id)
    db.session.add(created)
    with conflict_on_race(group):
        db.session.flush()
        db.session.execute(update(SuggestedGroupInput).where(
            SuggestedGroupInput.input_id.in_(moving)).values(group_id=created.id))
        _relabel(created, moving)
        _relabel(group, staying)
        _touch(group)
        db.session.flush()
    audit("split_group", group, actor=actor,
          changes={"inputs": {"old": len(members), "new": len(staying)}})
    audit("create", created, actor=actor, changes={"inputs": {"old": None, "new": len(moving)}})
    return created


def merge_groups(into: SuggestedGroup, other: SuggestedGroup, *,
                 expected_versions: Mapping[int, int] | None = None,
                 actor: Any = None) -> None:
    """Every member of ``other`` joins ``into``; ``other`` is gone. ``expected_versions``
    (by group id) are the versions the form showed of both; a missing one is not checked."""
    versions = expected_versions or {}
    _checked(into, versions.get(into.id))
    if other.id == into.id or other.consultation_id != into.consultation_id:
        raise DomainError(_l("Choose another group of this consultation."), field="other")
    check_version(other, versions.get(other.id))
    moved = _member_ids(other)
    with conflict_on_race(into):
        db.session.execute(update(SuggestedGroupInput).where(
            SuggestedGroupInput.group_id == other.id).values(group_id=into.id))
        _touch(into)
        db.session.flush()
        audit("merge_group", into, actor=actor,
              changes={"inputs": {"old": len(_member_ids(into)) - len(moved),
                                  "new": len(_member_ids(into))},
                       "merged_from": {"old": None, "new": other.id}})
        audit("delete", other, actor=actor, changes={"label": {"old": other.label, "new": None}})
        db.session.delete(other)
        db.session.flush()


def remove_from_group(group: SuggestedGroup, input_ids: Iterable[int], *,
                      expected_version: int | None = None, actor: Any = None) -> bool:
    """The chosen members leave the group; a group left empty is removed. True if the group
    still exists."""
    _checked(group, expected_version)
    members = _member_ids(group)
    leaving = sorted(set(input_ids) & set(members))
    if not leaving:
        raise DomainError(_l("Choose the inputs to remove from the group."), field="input_ids")
    with conflict_on_race(group):
        db.session.execute(delete(SuggestedGroupInput).where(
            SuggestedGroupInput.input_id.in_(leaving)))
        _touch(group)
        db.session.flush()
    audit("remove_from_group", group, actor=actor,
          changes={"inputs": {"old": len(members), "new": len(members) - len(leaving)}})
    if len(leaving) == len(members):
        audit("delete", group, actor=actor, changes={"label": {"old": group.label, "new": None}})
        db.session.delete(group)
        db.session.flush()
        return False
    return True


def assign_group(group: SuggestedGroup, user_id: int | None, *,
                 expected_version: int | None = None, actor: Any = None) -> None:
    """The group assigned to a colleague (an active staff account), or to nobody."""
    _checked(group, expected_version)
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or (not user.active and user_id != group.assigned_to_id):
            raise DomainError(_l("Choose an active colleague."), field="assigned_to_id")
    if user_id == group.assigned_to_id:
        return
    old = group.assigned_to_id
    with conflict_on_race(group):
        group.assigned_to_id = user_id
        db.session.flush()
    audit("assign_group", group, actor=actor,
          changes={"assigned_to": {"old": old, "new": user_id}})
