"""Pure feature code: the ecosystem as arrays, text vectors, the time-correct graph, pair features."""

from features.ecosystem import Ecosystem, Events, build_ecosystem, to_days
from features.graph import Graph, build_graph
from features.pairs import CATEGORICAL, FEATURES, SYMMETRIC, PairContext, pair_features
from features.text import TextVectors, build_text_vectors

__all__ = [
    "CATEGORICAL", "FEATURES", "SYMMETRIC", "Ecosystem", "Events", "Graph", "PairContext",
    "TextVectors", "build_ecosystem", "build_graph", "build_text_vectors", "pair_features",
    "to_days",
]
