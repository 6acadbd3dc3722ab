"""MLR102 train-test-overlap: evaluation rows that were also used for training."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class TrainTestOverlap(Rule):
    id = "MLR102"
    confidence = Confidence.HIGH
    message = "the evaluation set shares rows with the data the model was trained on"
    fix = (
        "Train only on the training split; oversample or augment after splitting and only the training part "
        "(an imblearn `Pipeline` does this inside cross-validation)."
    )
    doc = RuleDoc(
        what_it_does=(
            "Flags a model whose training rows include the rows it is then evaluated on: fitting on the test split, on "
            "the full data, or on data concatenated with the test split before scoring the test split; oversampling "
            "or duplication (SMOTE and friends, `RandomOverSampler`, `sklearn.utils.resample`, `df.sample(replace=True)`, "
            "concatenating a frame with itself) before the split, so copies of a row land on both sides; and scoring the "
            "training rows while presenting the number as a test or validation result (medium confidence). The finding "
            "sits on the fit or the resampling call.\n\n"
            "Oversampling of the training split only, and a final refit on all data after the evaluation, are not "
            "reported: the analysis is flow-sensitive, so the evaluation uses the model state it actually had."
        ),
        why_it_matters=(
            "A model scored on rows it has memorised reports near-perfect accuracy that says nothing about new data. "
            "With oversampling before the split, synthetic or duplicated minority rows in the test set are near-copies "
            "of training rows, which is exactly where imbalanced-data notebooks report their best numbers."
        ),
        example=(
            "X_res, y_res = SMOTE().fit_resample(X, y)\n"
            "X_train, X_test, y_train, y_test = train_test_split(X_res, y_res)\n"
        ),
        use_instead=(
            "X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y)\n"
            "X_res, y_res = SMOTE().fit_resample(X_train, y_train)\n"
        ),
        references=(
            "imbalanced-learn user guide, 'Common pitfalls: data leakage' (resample inside the pipeline)",
            "Yang et al., ASE 2022: overlap leakage",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
