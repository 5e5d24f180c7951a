from __future__ import annotations

import numpy as np
import pytest

from data.artefacts import load_model_dir, save_model_dir
from matching.ranker import PARALLEL_ROWS, ArtefactMismatch, NotFitted, Ranker

NAMES = ["signal", "noise", "kind"]


def known_case(seed=0, queries=200, per=20):
    """Label = how high ``signal`` is within its query; ``noise`` carries nothing."""
    rng = np.random.default_rng(seed)
    x = rng.random((queries * per, 3)).astype(np.float32)
    x[:, 2] = rng.integers(0, 3, len(x))
    y = np.zeros(len(x), dtype=np.int32)
    for q in range(queries):
        rows = slice(q * per, (q + 1) * per)
        y[rows] = np.argsort(np.argsort(x[rows, 0])) * 5 // per
    return x, y, np.full(queries, per)


@pytest.fixture(scope="module")
def fitted():
    x, y, group = known_case()
    return Ranker(n_estimators=60, num_threads=1).fit(x, y, group, feature_names=NAMES,
                                                       categorical=["kind"])


def test_a_batch_scores_as_its_rows_do_one_request_at_a_time():
    """Large batches use the thread pool, requests one thread: the scores must not differ."""
    x, y, group = known_case()
    ranker = Ranker(n_estimators=60, num_threads=2).fit(x, y, group, feature_names=NAMES,
                                                         categorical=["kind"])
    big = np.random.default_rng(3).random((PARALLEL_ROWS + 500, 3)).astype(np.float32)
    big[:, 2] = np.floor(big[:, 2] * 3)
    together = ranker.predict(big)
    apart = np.concatenate([ranker.predict(big[i:i + 400]) for i in range(0, len(big), 400)])
    assert np.array_equal(together, apart)
    assert np.array_equal(ranker.contributions(big)[-10:], ranker.contributions(big[-10:]))


def test_contributions_add_up_to_the_score_and_credit_the_signal(fitted):
    """The factors shown with a suggestion explain its score: they add up to it, and the
    feature the labels follow carries most of it."""
    x, _, _ = known_case(seed=4, queries=10)
    contrib = fitted.contributions(x)
    np.testing.assert_allclose(contrib.sum(axis=1), fitted.predict(x), atol=1e-9)
    spread = np.abs(contrib[:, :-1]).mean(axis=0)
    assert spread.argmax() == NAMES.index("signal") and spread[0] > 5 * spread[1]


def test_learns_the_known_right_answer(fitted):
    x, _, _ = known_case(seed=1, queries=1)
    scores = fitted.predict(x)
    assert np.corrcoef(scores, x[:, 0])[0, 1] > 0.9


def test_save_load_predicts_identical_scores(fitted, tmp_path):
    text, manifest = fitted.to_artefact({"ndcg_at_10": 0.5})
    path = save_model_dir(tmp_path, "v1", text, manifest)
    loaded = Ranker.from_artefact(*load_model_dir(path), NAMES)
    x, _, _ = known_case(seed=2, queries=5)
    np.testing.assert_array_equal(fitted.predict(x), loaded.predict(x))
    np.testing.assert_array_equal(fitted.contributions(x), loaded.contributions(x))
    assert loaded.fingerprint_ == fitted.fingerprint_
    assert manifest.metrics["ndcg_at_10"] == 0.5
    assert not list(tmp_path.glob("*.pkl")) and (path / "model.txt").read_text().startswith("tree")


def test_a_version_is_never_overwritten(fitted, tmp_path):
    text, manifest = fitted.to_artefact()
    save_model_dir(tmp_path, "v1", text, manifest)
    with pytest.raises(FileExistsError):
        save_model_dir(tmp_path, "v1", text, manifest)


def test_loading_with_another_feature_list_fails_loudly(fitted, tmp_path):
    path = save_model_dir(tmp_path, "v1", *fitted.to_artefact())
    with pytest.raises(ArtefactMismatch, match="missing"):
        Ranker.from_artefact(*load_model_dir(path), [*NAMES, "new_feature"])


def test_unfitted_ranker_says_so():
    with pytest.raises(NotFitted):
        Ranker().predict(np.zeros((1, 3)))


def test_bad_training_input_is_rejected():
    x, y, group = known_case(queries=3)
    with pytest.raises(ValueError, match="groups"):
        Ranker().fit(x, y, group + 1, feature_names=NAMES)
    with pytest.raises(ValueError, match="columns"):
        Ranker().fit(x, y, group, feature_names=NAMES[:2])


def test_adopting_a_booster_keeps_the_round_that_validates_best():
    """A booster trained elsewhere is cut at the round with the best validation NDCG@10
    from ``MIN_TREES`` on (here the labels flip, so later rounds only get worse)."""
    from matching.ranker import best_round, graded_ndcg

    x, y, group = known_case(seed=1, queries=100)
    vx, vy, vgroup = known_case(seed=2, queries=60)
    vy = vy.max() - vy  # validation disagrees with training: an early round is best
    fitted = Ranker(n_estimators=25, num_threads=1, early_stopping_rounds=0).fit(
        x, y, group, feature_names=NAMES)
    adopted = Ranker().adopt(fitted.booster_, x, y, group, feature_names=NAMES,
                             valid=(vx, vy, vgroup))
    each = [graded_ndcg(vy, fitted.booster_.predict(vx, num_iteration=r), vgroup)
            for r in range(1, 26)]
    assert adopted.metrics_["best_iteration"] == best_round(each)


def test_the_best_round_is_never_one_of_the_first_few():
    from matching.ranker import best_round

    assert best_round([0.9, 0.1, 0.2, 0.3, 0.25], floor=3) == 4
    assert best_round([0.9, 0.1], floor=3) == 2  # fewer rounds than the floor: all of them


def test_training_does_not_stop_at_a_handful_of_trees_when_validation_peaks_early():
    from matching.ranker import MIN_TREES

    x, y, group = known_case(seed=1, queries=100)
    vx, vy, vgroup = known_case(seed=2, queries=60)
    fitted = Ranker(n_estimators=200, num_threads=1, early_stopping_rounds=10).fit(
        x, y, group, feature_names=NAMES, valid=(vx, vy.max() - vy, vgroup))
    assert fitted.metrics_["best_iteration"] >= MIN_TREES
