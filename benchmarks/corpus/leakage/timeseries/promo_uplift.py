"""Attach the promotion calendar to daily store sales."""
import pandas as pd

sales = pd.read_csv("daily_sales.csv", parse_dates=["date"]).sort_values("date")
promos = pd.read_csv("promotion_events.csv", parse_dates=["promo_start"]).sort_values("promo_start")
promos["store_promo_count"] = promos.groupby("store_id")["promo_id"].transform("count")

# ruleid: MLR106
nearest_promo = pd.merge_asof(sales, promos, left_on="date", right_on="promo_start", by="store_id", direction="nearest")
# ok: MLR106
last_promo = pd.merge_asof(sales, promos, left_on="date", right_on="promo_start", by="store_id")
# ruleid: MLR106
all_promos = sales.merge(promos, on="store_id", how="left")
# ok: MLR106
weather = sales.merge(pd.read_csv("store_weather.csv", parse_dates=["date"]), on=["store_id", "date"], how="left")
