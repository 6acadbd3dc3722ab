"""CTR features shared by training and serving."""
import math


def position_bias(position: int, alpha: float = 0.7) -> float:
    position = max(int(position), 1)
    discount = 1.0 / math.log2(position + 1)
    return discount ** alpha


def query_ad_overlap(query: str, title: str) -> float:
    q = {t for t in query.lower().split() if len(t) > 2}
    a = {t for t in title.lower().split() if len(t) > 2}
    if not q or not a:
        return 0.0
    return len(q & a) / len(q | a)
