"""Per-feature contributions of a tree ensemble's score, read off each row's leaves.

Every split on the way from a tree's root to a leaf moves the expected value of the tree
(LightGBM keeps it on every node); the move is credited to the split's feature. A leaf's
value is its root's value plus those moves, so a row's contributions and the bias (the
roots' values) add up to its score exactly. Each leaf's credits are worked out once per
model, so a row costs one leaf lookup per tree — a fraction of a millisecond where
LightGBM's SHAP values cost a third of one per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np


@dataclass(frozen=True)
class LeafCredits:
    """For each tree and leaf, what each feature added on the way there."""

    credits: np.ndarray  # trees × leaves × features
    bias: float  # the roots' expected values, summed over the trees

    @classmethod
    def of(cls, booster: lgb.Booster, trees: int) -> LeafCredits:
        dump = booster.dump_model(num_iteration=trees)
        features = dump["max_feature_idx"] + 1
        infos = dump["tree_info"][:trees]
        leaves = max((info["num_leaves"] for info in infos), default=1)
        credits = np.zeros((len(infos), leaves, features))
        bias = 0.0
        for t, info in enumerate(infos):
            root = info["tree_structure"]
            bias += root.get("internal_value", root.get("leaf_value", 0.0))
            _credit(root, np.zeros(features), credits[t])
        return cls(credits, bias)

    def of_leaves(self, leaves: np.ndarray) -> np.ndarray:
        """Rows × (features + 1): each row's credits per feature, then the bias."""
        leaves = np.asarray(leaves, dtype=np.int64).reshape(len(leaves), -1)
        per_feature = self.credits[np.arange(self.credits.shape[0]), leaves].sum(axis=1)
        return np.column_stack([per_feature, np.full(len(leaves), self.bias)])


def _credit(node: dict, path: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out[leaf]`` with the credits of the path from this node down to each leaf."""
    if "leaf_index" in node or "split_feature" not in node:
        out[node.get("leaf_index", 0)] = path
        return
    for child in (node["left_child"], node["right_child"]):
        moved = path.copy()
        value = child.get("internal_value", child.get("leaf_value"))
        moved[node["split_feature"]] += value - node["internal_value"]
        _credit(child, moved, out)
