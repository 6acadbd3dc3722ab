"""MLR103 test-set-reuse: the test set used to choose a model, hyperparameter or threshold."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class TestSetReuse(Rule):
    id = "MLR103"
    confidence = Confidence.HIGH
    message = "the test set is used to choose among candidates"
    fix = (
        "Choose on a validation split or with cross-validation on the training data, then score the chosen model "
        "on the test set once."
    )
    doc = RuleDoc(
        what_it_does=(
            "Flags an evaluation on the test split whose result feeds a choice: `max`/`min`/`sorted`/`argmax`/"
            "`idxmax`, an `if score > best:` comparison, or a decision threshold picked from `roc_curve`/"
            "`precision_recall_curve` on the test labels. Also flags early stopping that monitors the test split when "
            "the same rows are the final evaluation, and (medium confidence) test scores of several candidates "
            "collected into one list or dict for comparison. The finding sits on the evaluation that feeds the choice.\n\n"
            "Choosing on a validation split or by cross-validation on the training data and scoring once on test, "
            "and several metrics for one final model, are not reported."
        ),
        why_it_matters=(
            "Every decision taken by looking at the test score fits the test set a little. After picking the best of "
            "twenty models or thresholds on test, the winning score is the maximum of twenty noisy estimates: it is "
            "biased upward and no longer tells you what to expect in production."
        ),
        example=(
            "for k in range(1, 30):\n    knn = KNeighborsClassifier(k).fit(X_train, y_train)\n"
            "    scores[k] = knn.score(X_test, y_test)\nbest_k = max(scores, key=scores.get)\n"
        ),
        use_instead=(
            "search = GridSearchCV(KNeighborsClassifier(), {'n_neighbors': range(1, 30)}, cv=5)\n"
            "search.fit(X_train, y_train)\nsearch.score(X_test, y_test)\n"
        ),
        references=(
            "Cawley & Talbot, 'On over-fitting in model selection and subsequent selection bias' (JMLR 2010)",
            "Yang et al., ASE 2022: multi-test leakage",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
