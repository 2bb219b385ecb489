"""`classic` baseline: TF-IDF + logistic regression picks the action, the rule extractor fills the slots."""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from microllm.baselines.rules import extract
from microllm.data.io import read_jsonl, refuse_held_out
from microllm.predictors import register
from microllm.predictors.base import Predictor


def build_action_classifier(seed: int = 0):
    """Word and character n-gram TF-IDF into a multinomial logistic regression."""
    features = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
    ])  # fmt: skip
    return make_pipeline(features, LogisticRegression(C=20.0, max_iter=3000, random_state=seed))


@register("classic")
class ClassicPredictor(Predictor):
    """Fitted at construction on the synthetic train split (seconds on 2 cores); deterministic."""

    name = "classic"

    def __init__(self, train_file: str | Path = "data/synthetic/train.jsonl", seed: int = 0):
        path = refuse_held_out(train_file)  # fitting on the dev set would make its dev score meaningless
        if not path.exists():
            raise FileNotFoundError(f"classic baseline needs its training data {path}: run `microllm data build`")
        rows = read_jsonl(path)
        self.train_file = str(path)
        self.model = build_action_classifier(seed).fit(
            [r["input"] for r in rows], [r["output"]["action"] for r in rows]
        )

    def generate(self, text: str) -> tuple[str, float]:
        """Action from the classifier (its probability is the confidence), slots from the rules."""
        proba = self.model.predict_proba([text])[0]
        best = int(proba.argmax())
        action = str(self.model.classes_[best])
        return json.dumps(extract(text, action), ensure_ascii=False), float(proba[best])
