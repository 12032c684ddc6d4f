"""Measurement that chose the clustering of suggested groups (run by hand, not by pytest).

    .venv/bin/python -m tests.benchmarks.grouping

Clusters the labelled Dutch reactions of tests/fixtures/reactions/labelled_dutch.json with a
few methods, thresholds, with and without stemming, and prints per variant the pairwise
precision (of the pairs put in one group, how many truly belong together), recall (of the
pairs that belong together, how many were put in one group) and F1, the number of groups and
the time. Precision matters most: an adviser who answers a group at once must be able to
trust that its members ask the same; a missed pair costs only a second group.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from itertools import combinations
from pathlib import Path

from app.consultations.inputs.grouping import (
    GROUP_FROM,
    average_link,
    centroid_link,
    cluster_texts,
    label_of,
    leader,
    single_link,
)
from app.consultations.inputs.similarity import PIECE_LENGTH, SIMILAR_FROM, Corpus

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "reactions" / "labelled_dutch.json"


def labelled(seed: int | None = 7) -> tuple[dict[int, str], dict[int, str]]:
    """The texts and the true group of each, by key. The file lists the reactions topic by
    topic; with a ``seed`` the keys are shuffled, as reactions arrive in no order (the leader
    algorithm depends on it)."""
    reactions = json.loads(LABELLED.read_text(encoding="utf-8"))["reactions"]
    keys = [r["id"] for r in reactions]
    if seed is not None:
        random.Random(seed).shuffle(keys)
    return ({key: r["text"] for key, r in zip(keys, reactions, strict=True)},
            {key: r["group"] for key, r in zip(keys, reactions, strict=True)})


def pairwise(clusters: list[list[int]], truth: Mapping[int, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of clusters against the true groups."""
    predicted = {pair for cluster in clusters for pair in combinations(sorted(cluster), 2)}
    actual = {(a, b) for a, b in combinations(sorted(truth), 2) if truth[a] == truth[b]}
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


Method = Callable[[Corpus, float], list[list[int]]]
METHODS: dict[str, Method] = {"centroid link": centroid_link, "average link": average_link,
                              "single link": single_link,
                              "leader": leader}


THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35)


def variants() -> list[tuple[str, bool, int, float]]:
    return [(method, stemming, pieces, threshold)
            for method in METHODS for stemming in (True, False) for pieces in (PIECE_LENGTH, 0)
            for threshold in THRESHOLDS]


def chosen(texts: Mapping[int, str]) -> list[list[int]]:
    """The clustering the job uses."""
    return cluster_texts(texts)


def main() -> None:
    texts, truth = labelled()
    print(f"{len(texts)} reactions, {len(set(truth.values()))} true groups "
          f"({sum(1 for g in set(truth.values()) if g.startswith('los-'))} singletons)")
    print("\nGroups (suggested groups, pairwise):")
    print(f"{'method':<13} {'stemmed':<8} {'pieces':<7} {'threshold':>9} {'precision':>9} "
          f"{'recall':>7} {'F1':>6} {'groups':>6} {'ms':>6}")
    for method, stemming, pieces, threshold in variants():
        started = time.perf_counter()
        clusters = METHODS[method](Corpus.of(texts, stemming=stemming, pieces=pieces),
                                   threshold)
        elapsed = (time.perf_counter() - started) * 1000
        precision, recall, f1 = pairwise(clusters, truth)
        mark = " <- chosen" if (method, stemming, pieces, threshold) == (
            "centroid link", True, PIECE_LENGTH, GROUP_FROM) else ""
        print(f"{method:<13} {'yes' if stemming else 'no':<8} {pieces or '-':<7} "
              f"{threshold:>9.2f} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} "
              f"{len(clusters):>6} {elapsed:>6.1f}{mark}")
    print("\nSimilar inputs (pairs at least this alike, stemmed, with pieces):")
    corpus = Corpus.of(texts)
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3):
        pairs = [list(pair) for pair in corpus.pairs(threshold)]
        precision, recall, f1 = pairwise(pairs, truth)
        mark = " <- chosen" if threshold == SIMILAR_FROM else ""
        print(f"  {threshold:.2f}  precision {precision:.3f}  recall {recall:.3f}  "
              f"F1 {f1:.3f}{mark}")
    print("\nThe chosen groups:")
    for cluster in chosen(texts):
        print(f"  {label_of(corpus, cluster)!r}: {[truth[key] for key in cluster]}")


if __name__ == "__main__":
    main()
