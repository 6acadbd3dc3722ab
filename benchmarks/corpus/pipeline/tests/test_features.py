import pandas as pd

from churnpipe.features import add_spend_ratios, encode_plan


def make_customers() -> pd.DataFrame:
    df = pd.DataFrame({"plan": ["basic", "premium"], "total_spend": [10.0, 90.0], "tenure_months": [1, 9]})
    # ok: MLR207
    df["tickets_30d"] = [0, 1]
    df["logins_30d"] = [3, 0]
    return df


def test_encode_plan_levels():
    out = encode_plan(make_customers())
    assert out["plan_level"].tolist() == [0, 2]


def test_ratios_do_not_touch_input():
    customers = make_customers()
    add_spend_ratios(customers)
    assert "spend_per_month" not in customers
