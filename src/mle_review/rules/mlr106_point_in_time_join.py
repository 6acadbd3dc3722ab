"""MLR106 point-in-time-join: a feature join that can attach information from after the label time."""

from __future__ import annotations

from collections.abc import Iterator

from mle_review.engine.context import ModuleContext
from mle_review.models import Confidence
from mle_review.rules._leakage_common import leakage_hits
from mle_review.rules.base import Hit, Rule, RuleDoc, register


@register
class PointInTimeJoin(Rule):
    id = "MLR106"
    confidence = Confidence.HIGH
    message = "features are joined without a point-in-time condition"
    fix = (
        "Join as of the label time: `pd.merge_asof(labels, features, on=time, by=key, direction='backward')`, or "
        "filter `feature_time <= label_time` right after the join; aggregate only events before each label's time."
    )
    doc = RuleDoc(
        what_it_does=(
            "Flags a `merge`/`join` of event features onto labelled rows on the entity key alone when both sides carry "
            "timestamps and the feature side has several rows per entity (an event log), with no "
            '`feature_time <= label_time` filter afterwards; `merge_asof` with `direction="forward"` or '
            '`"nearest"`; and (medium confidence) joining per-entity aggregates computed over an event log\'s whole '
            "history onto timestamped rows.\n\n"
            '`merge_asof` with the default `direction="backward"`, joins followed by a time filter, joins that include '
            "the time column in the key, aggregates of events cut at a time boundary, and static dimension tables "
            "without timestamps are not reported."
        ),
        why_it_matters=(
            "Offline, every feature row is already in the table, including the ones recorded after the moment the "
            "prediction would have been made. A key-only join hands the model those future rows (purchases after the "
            "churn date, lab results after the admission), and the offline score cannot be reproduced online."
        ),
        example=(
            "labels = pd.read_csv('labels.csv', parse_dates=['label_time'])\n"
            "events = pd.read_csv('events.csv', parse_dates=['event_time'])\n"
            "train = labels.merge(events, on='user_id')\n"
        ),
        use_instead=(
            "train = pd.merge_asof(labels.sort_values('label_time'), events.sort_values('event_time'),\n"
            "                      left_on='label_time', right_on='event_time', by='user_id', direction='backward')\n"
        ),
        references=(
            "pandas documentation, `merge_asof` (direction='backward' is the default)",
            "Feature-store point-in-time correctness (Feast, 'point-in-time joins')",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        yield from leakage_hits(ctx, self.id)
