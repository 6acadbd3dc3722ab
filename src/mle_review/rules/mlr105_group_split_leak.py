"""MLR105 group-split-leak: a row-level split of data whose rows repeat the same entities."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class GroupSplitLeak(Rule):
    id = "MLR105"
    confidence = Confidence.HIGH
    message = "rows of the same entity are split across train and test"
    fix = (
        "Split by entity: `GroupShuffleSplit`/`GroupKFold`/`StratifiedGroupKFold` with `groups=df[id]`, or split "
        "the unique ids first and select rows with `isin`."
    )
    doc = RuleDoc(
        what_it_does=(
            "Flags a row-level random split or cross-validation (`train_test_split`, `KFold`, `StratifiedKFold`, "
            "`ShuffleSplit`, `cross_val_score`, searches with a plain `cv`) of data where an entity key (a user, "
            "customer, patient, session, device or similar `*_id` column) repeats across rows, shown by a `groupby` "
            "on that key; data loaded from an event-log-like source that carries such a key is reported with medium "
            "confidence.\n\n"
            "`GroupKFold`, `GroupShuffleSplit`, `StratifiedGroupKFold`, `LeaveOneGroupOut`, splitting the unique ids "
            "first, and data de-duplicated on the key are not reported."
        ),
        why_it_matters=(
            "When a patient's scans or a user's sessions land on both sides of the split, the model can recognise the "
            "entity instead of learning the task. The test score then measures performance on known entities, while "
            "production traffic comes from new ones."
        ),
        example=(
            "events = pd.read_csv('sessions.csv')\n"
            "events['n_sessions'] = events.groupby('user_id')['session_id'].transform('count')\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        ),
        use_instead=(
            "splitter = GroupShuffleSplit(test_size=0.2, random_state=0)\n"
            "train_idx, test_idx = next(splitter.split(X, y, groups=events['user_id']))\n"
        ),
        references=(
            "scikit-learn user guide, 'Cross-validation iterators for grouped data'",
            "Kapoor & Narayanan (2023): 'non-independence between train and test' leakage",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
