"""Claim fraud labels joined with policy change history."""
import pandas as pd

claims = pd.read_csv("claims.csv", parse_dates=["claim_date"])
changes = pd.read_csv("policy_changes.csv", parse_dates=["changed_at"])
changes["n_changes"] = changes.groupby("policy_number")["change_type"].transform("count")
products = pd.read_csv("products.csv")

# first version (kept for the comparison notebook): every change of the policy, before or after the claim
# ruleid: MLR106
naive = claims.merge(changes, on="policy_number", how="left")
naive_counts = naive.groupby("claim_id")["change_type"].count()

# ok: MLR106
history = claims.merge(changes, on="policy_number", how="left")
history = history[history["changed_at"] < history["claim_date"]]
# ok: MLR106
claims = claims.merge(products, on="product_code", how="left")
