"""MLR101 preprocessing-before-split: stateful preprocessing learned from rows that are later evaluated."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.analysis.leaks import precompute_leaks
from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class PreprocessingBeforeSplit(Rule):
    id = "MLR101"
    confidence = Confidence.HIGH
    message = "stateful preprocessing is fit on rows that later become evaluation data"
    fix = (
        "Split first, then fit the transform on the training part only (`fit` on train, `transform` on test), "
        "or put it inside a `Pipeline` that is fit on the training split / cross-validated as a whole."
    )
    doc = RuleDoc(
        what_it_does=(
            "Follows data through the file or notebook (assignments, column selection, `.loc`/`.iloc`, method chains, "
            "concatenation, merges, helper functions defined in the same file) and flags a stateful transform whose "
            "fitted state reaches the evaluation rows it was learned from: scalers, imputers, encoders, vectorizers, "
            "feature selectors, PCA and other decompositions, discretizers, target encoders, `fillna` with a mean or "
            "median of the whole frame, `pd.qcut`, and groupby-aggregate features. The finding sits on the fit; related "
            "lines show the split (or cross-validation) that later separates the leaked rows and the evaluation.\n\n"
            "Fits on the training split followed by `transform` on the test split, transforms inside a `Pipeline`/"
            "`make_pipeline`/`ColumnTransformer` fit on the training split, stateless transforms (log, clip, "
            "lower-casing, `Normalizer`, `PolynomialFeatures`) and a final refit after the evaluation are not reported. "
            "Encoders that only learn category sets, and transductive fits on unlabelled competition test rows, are "
            "reported with medium confidence."
        ),
        why_it_matters=(
            "The evaluation is supposed to estimate performance on data the pipeline has never seen. When the scaler "
            "or imputer has already seen the test rows, their means, variances and category frequencies shape the "
            "training features, and the reported score is optimistic in a way that disappears in production. Target "
            "and mean encodings and feature selection on the full data can inflate scores dramatically."
        ),
        example=(
            "scaler = StandardScaler()\nX = scaler.fit_transform(X)\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        ),
        use_instead=(
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
            "model = make_pipeline(StandardScaler(), LogisticRegression())\nmodel.fit(X_train, y_train)\n"
            "model.score(X_test, y_test)\n"
        ),
        references=(
            "scikit-learn user guide, 'Common pitfalls and recommended practices: data leakage during pre-processing'",
            "Kapoor & Narayanan, 'Leakage and the reproducibility crisis in machine-learning-based science' (2023)",
            "Yang et al., 'Data Leakage in Notebooks: Static Detection and Better Processes' (ASE 2022): "
            "preprocessing leakage",
        ),
    )

    precomputes = True

    def precompute(self, ctx: ModuleContext) -> None:
        precompute_leaks(ctx)  # the one dataflow analysis all six leakage rules read

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
