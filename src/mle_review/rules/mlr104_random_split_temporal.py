"""MLR104 random-split-temporal: a shuffled split of time-ordered data."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class RandomSplitTemporal(Rule):
    id = "MLR104"
    confidence = Confidence.HIGH
    message = "time-ordered data is split at random"
    fix = (
        "Split on time: train on rows before a cutoff and test on rows after it, use `TimeSeriesSplit` for "
        "cross-validation, or `train_test_split(..., shuffle=False)` on data sorted by time."
    )
    doc = RuleDoc(
        what_it_does=(
            "Flags a shuffling split (`train_test_split` with the default `shuffle=True`, `KFold(shuffle=True)`, "
            "`ShuffleSplit`, `StratifiedShuffleSplit`, `torch.utils.data.random_split`, `df.sample(frac=...)` followed by "
            "`drop`, slicing by a permuted index, or `cross_val_score`/searches with such a `cv`) applied to data that "
            "is ordered in time: sorted by a time column, indexed by a `DatetimeIndex`, resampled, given `shift`/"
            "`rolling`/`diff` lag features, or built from sliding windows over a series. Data whose only time evidence "
            "is a parsed datetime column is reported with medium confidence.\n\n"
            "`TimeSeriesSplit`, a cutoff on the time column and `shuffle=False` are not reported."
        ),
        why_it_matters=(
            "A shuffled split lets the model learn from rows recorded after the ones it is tested on. Lag and rolling "
            "features make neighbouring rows near-duplicates, so the test score measures interpolation between known "
            "points; in production the model only ever sees the past."
        ),
        example=(
            "df = pd.read_csv('sales.csv', parse_dates=['date']).sort_values('date')\n"
            "df['lag_1'] = df['sales'].shift(1)\ntrain, test = train_test_split(df, test_size=0.2)\n"
        ),
        use_instead=(
            "cutoff = df['date'].quantile(0.8)\ntrain = df[df['date'] < cutoff]\ntest = df[df['date'] >= cutoff]\n"
        ),
        references=(
            "scikit-learn user guide, 'Cross-validation of time series data' (`TimeSeriesSplit`)",
            "Bergmeir & Benítez, 'On the use of cross-validation for time series predictor evaluation' (2012)",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
