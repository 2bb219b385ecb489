"""`classic` baseline: TF-IDF + logistic regression picks the action, the rule extractor fills the slots.

Fitting takes tens of seconds on two cores, so the fitted classifier is cached on disk
(``$MICROLLM_ARTIFACTS/cache/classic/<key>.joblib``, ``artifacts/`` by default), keyed by the sha256 of the training
file's bytes, the evaluation contract's hidden and dev lists, the seed, the classifier's settings and the scikit-learn
version: any change refits. The training file is read under the contract (:mod:`microllm.data.contract`) in the
training role: test, dev and val-real files are refused, and rows whose input is a hidden-evaluation or dev input are
dropped with a :class:`~microllm.data.contract.HeldOutRowsWarning` (a predictor writes no card to count them in).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import joblib
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from microllm.baselines.rules import extract
from microllm.data.contract import check_readable, filter_digest, read_rows_and_warn
from microllm.predictors import register
from microllm.predictors.base import Predictor


def build_action_classifier(seed: int = 0):
    """Word and character n-gram TF-IDF into a multinomial logistic regression."""
    features = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
    ])  # fmt: skip
    return make_pipeline(features, LogisticRegression(C=20.0, max_iter=3000, random_state=seed))


def cache_dir() -> Path:
    """Where fitted classifiers are kept."""
    return Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "cache" / "classic"


def cache_key(train_file: str | Path, seed: int = 0) -> str:
    """sha256 of everything the fitted classifier depends on: the training bytes, the contract's hidden and dev lists
    (they decide which rows are fitted on), the seed, every parameter of the pipeline (nested ones included) and the
    scikit-learn version."""
    params = build_action_classifier(seed).get_params(deep=True)
    settings = {k: v for k, v in params.items() if isinstance(v, str | int | float | bool | tuple | type(None))}
    h = hashlib.sha256(Path(train_file).read_bytes())
    h.update(json.dumps({"seed": seed, "params": settings, "sklearn": sklearn.__version__,
                         "contract": filter_digest()}, sort_keys=True, default=str).encode())  # fmt: skip
    return h.hexdigest()


def fit_or_load(train_file: str | Path, seed: int = 0, cache: bool = True):
    """``(classifier, loaded_from_cache)``: the cached fit for this data and these settings, else a fresh fit
    (then cached). A fresh fit reads ``train_file`` under the evaluation contract in the training role (held-out
    files refused, held-out inputs dropped with a warning). A cache file that cannot be read is refitted and
    replaced."""
    path = cache_dir() / f"{cache_key(train_file, seed)}.joblib" if cache else None
    if path is not None and path.exists():
        try:
            return joblib.load(path), True
        except Exception:  # a truncated or foreign file: refit rather than fail
            pass
    rows = read_rows_and_warn(train_file, "train")  # a cached fit passed this too: only a fit writes the cache
    model = build_action_classifier(seed).fit([r["input"] for r in rows], [r["output"]["action"] for r in rows])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.part{os.getpid()}")
        joblib.dump(model, tmp)
        os.replace(tmp, path)  # concurrent runs never read a half-written file
    return model, False


@register("classic")
class ClassicPredictor(Predictor):
    """Fitted on the synthetic train split on first use, then loaded from the on-disk cache; deterministic."""

    name = "classic"

    def __init__(self, train_file: str | Path = "data/synthetic/train.jsonl", seed: int | str = 0,
                 cache: bool = True):  # fmt: skip
        # Training role, checked before the cache is looked at: fitting on dev or test would make their scores
        # meaningless, and on val-real would let the baseline be chosen on what it was fitted to.
        path = check_readable(train_file, "train")
        if not path.exists():
            raise FileNotFoundError(f"classic baseline needs its training data {path}: run `microllm data build`")
        self.train_file = str(path)
        self.model, self.from_cache = fit_or_load(path, int(seed), cache)

    def generate(self, text: str) -> tuple[str, float]:
        """Action from the classifier (its probability is the confidence), slots from the rules."""
        proba = self.model.predict_proba([text])[0]
        best = int(proba.argmax())
        action = str(self.model.classes_[best])
        return json.dumps(extract(text, action), ensure_ascii=False), float(proba[best])
