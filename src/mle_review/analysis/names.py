"""Name heuristics: what a variable or column name says about its role.

Names are weak evidence, so the analysis uses them only where code has no
stronger signal: which output of a split is the test part, whether a column
is a timestamp or an entity key, whether a file reads like an event log.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TRAIN, TEST, VAL = "train", "test", "val"
CV_TRAIN, CV_TEST = "cv_train", "cv_test"
EVAL_ROLES = frozenset({TEST, VAL, CV_TEST})
HOLDOUT_ROLES = frozenset({TEST, VAL})

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# A word may carry a short data prefix: ``Xtest``, ``dftrain``, ``ytr``.
_PREFIX = r"(?:x|y|df|data|feat|features|label|labels|target|targets|inputs?|ds|dataset|set)?"
_TEST_WORD = re.compile(rf"^{_PREFIX}(?:test|tst|te|holdout|hold|ho|unseen|oot|testing)\d*$")
_TRAIN_WORD = re.compile(rf"^{_PREFIX}(?:train|tr|trn|training|fit|learn|trainval|trainvalid)\d*$")
_VAL_WORD = re.compile(rf"^{_PREFIX}(?:val|valid|validation|vl|dev|eval|cv|va)\d*$")


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """``X_trainVal2`` -> ``('x', 'train', 'val', '2')``."""
    out: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(w.lower() for w in _WORD.findall(chunk))
    return tuple(out)


@lru_cache(maxsize=4096)
def role_from_name(name: str | None) -> str | None:
    """Split role a variable or file name suggests: train, test, val, or None.

    ``X_train_val`` is a training set (train+val refit before the test), so
    train wins over val; test wins over everything (``X_test_scaled``).
    Superlatives (``latest``, ``fastest``) are not test sets.
    """
    if not name:
        return None
    ws = words(name)
    if any(_TEST_WORD.match(w) for w in ws):
        return TEST
    if any(_TRAIN_WORD.match(w) for w in ws):
        return TRAIN
    if any(_VAL_WORD.match(w) for w in ws):
        return VAL
    return None


_DURATION = re.compile(
    r"(run|life|over|air|down|up|half|lead|wait|dwell|response|spent|travel|cycle|screen|play|watch|talk)_?time"
    r"|duration|elapsed|_days?$|_hours?$|_minutes?$|_secs?$|seconds$|^time_(to|since|on|spent)"
)
_TIME_COL = re.compile(
    r"^(date|time|datetime|timestamp|ts|dt|period|event_?time|event_?date|day|week|month_start)$"
    r"|(^|_)(date|datetime|timestamp|time|ts|dt|at|on)$"
    r"|^(date|datetime|timestamp)_"
)


@lru_cache(maxsize=4096)
def is_time_column(col: str) -> bool:
    """Column names that hold event timestamps (``order_date``, ``created_at``, ``ts``), not durations."""
    low = col.strip().lower().replace(" ", "_").replace("-", "_")
    if _DURATION.search(low):
        return False
    if _TIME_COL.search(low):
        return True
    return bool(re.search(r"[a-z](Date|Time|Timestamp|At)$", col.strip()))


_ENTITY_STEMS = _word_set(
    "user customer client patient subject session device account member player driver visitor household "
    "person participant machine engine sensor vehicle merchant student employee borrower applicant author animal "
    "donor mouse individual family cust uid pid card cardholder userid customerid patientid sessionid "
    "deviceid accountid subjectid"
)
# Stores, sites and plants persist into production: rows repeating them are not a group leak.
_ROW_IDS = frozenset({"id", "index", "row_id", "rowid", "idx", "unnamed_0", "key", "pk", "uuid"})
_NOT_ENTITY_ID = _word_set(
    "row transaction txn order record event sample trans invoice claim line image img file request message "
    "review tweet post comment click impression log passenger query item product question answer doc "
    "document text article sentence job ticket call id batch item_no"
)


@lru_cache(maxsize=4096)
def is_entity_column(col: str) -> bool:
    """Columns naming the entity a row belongs to (``user_id``, ``customerID``, ``patient``)."""
    low = col.strip().lower().replace(" ", "_")
    if low in _ROW_IDS:
        return False
    ws = words(col)
    if not ws:
        return False
    if (
        ws[-1] in ("id", "ids", "key", "no", "number", "code", "uuid", "idx", "index")
        and len(ws) > 1
    ):
        return ws[0] not in _NOT_ENTITY_ID and any(w in _ENTITY_STEMS for w in ws[:-1])
    return len(ws) <= 2 and ws[-1] in _ENTITY_STEMS


_SNAPSHOT_TIME = re.compile(
    r"^(computed|calculated|snapshot|as_?of|feature|valid_from|effective|observed|recorded|measured|refreshed)"
    r"(_?(at|time|ts|date|dt|day))?$"
)


@lru_cache(maxsize=1024)
def is_snapshot_time_column(col: str) -> bool:
    """A column that says when a row of features was computed (``computed_at``, ``as_of_date``).

    A table keyed by entity with such a column holds several versions per entity over time,
    unlike a dimension table whose date columns are fixed attributes (``signup_date``).
    """
    return bool(_SNAPSHOT_TIME.match(col.strip().lower().replace(" ", "_")))


_EVENT_SOURCE = re.compile(
    r"(event|session|transaction|txn|click|visit|log|interaction|rating|order|purchase|claim|encounter|"
    r"admission|reading|measurement|activity|trip|ride|pageview|impression|heartbeat|telemetry|play|"
    r"usage|payment|login|stream|history|vital|lab|chargeback|refund|dispute|complaint|incident)s?\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def is_event_source(text: str) -> bool:
    """A file or variable name that reads like an event log (``events.csv``, ``user_sessions``)."""
    base = text.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(_EVENT_SOURCE.search(base.replace("_", " ").replace("-", " ").replace(".", " ")))


_LABEL_NAMES = frozenset({"y", "target", "label", "labels", "targets", "outcome", "y_true"})


def is_label_name(name: str) -> bool:
    ws = words(name)
    return bool(ws) and (
        name.lower() in _LABEL_NAMES or ws[0] in {"y", "target", "label", "labels"}
    )


_MODEL_NAME = re.compile(
    r"^(model|models|clf|classifier|regressor|reg|estimator|est|pipe|pipeline|learner|search|grid|gs|booster|"
    r"net|network|lr|rf|svm|svc|knn|xgb|lgb|lgbm|gbm|gbr|gbc|dt|nb|logreg|mlp|tree|forest|cat|catboost)(_?\w+)?$"
    r"|_(model|clf|est|pipe|reg|classifier|regressor)$"
)


@lru_cache(maxsize=4096)
def is_model_name(name: str) -> bool:
    """A variable name that reads like a fitted predictor (``model``, ``clf``, ``rf_model``)."""
    return bool(_MODEL_NAME.search(name.lower()))
