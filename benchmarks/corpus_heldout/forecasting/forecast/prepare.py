"""Build the daily demand training frame."""
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler


def load_sales(path: str) -> pd.DataFrame:
    sales = pd.read_csv(path, parse_dates=["date"])
    return sales.sort_values(["store_id", "date"]).reset_index(drop=True)


def add_lag_features(sales: pd.DataFrame) -> pd.DataFrame:
    sales = sales.copy()
    g = sales.groupby("store_id")["units"]
    # ok: MLR207
    sales["lag_7"] = g.shift(7)
    # ok: MLR207
    sales["roll_28"] = g.transform(lambda s: s.shift(1).rolling(28).mean())
    return sales


def fill_missing(sales: pd.DataFrame) -> pd.DataFrame:
    # ruleid: MLR207
    sales["price"] = sales["price"].fillna(sales["price"].mean())
    return sales


def attach_promotions(sales: pd.DataFrame, promos: pd.DataFrame) -> pd.DataFrame:
    # promos: store_id, promo_start (event time of the promo announcement)
    sales = sales.sort_values("date")
    promos = promos.sort_values("promo_start")
    # ruleid: MLR106
    return pd.merge_asof(sales, promos, left_on="date", right_on="promo_start", by="store_id", direction="nearest")


def attach_weather(sales: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    # weather: store_id, observed_at, temp_c
    # ok: MLR106
    joined = sales.merge(weather, on="store_id", how="left")
    joined = joined[joined["observed_at"] <= joined["date"]]
    return joined.sort_values("observed_at").groupby(["store_id", "date"]).tail(1)


def attach_store_meta(sales: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    # stores: store_id, region, square_meters (static)
    # ok: MLR106
    return sales.merge(stores, on="store_id", how="left")


def compress_exog(sales: pd.DataFrame, cols: list[str], cutoff: str) -> pd.DataFrame:
    train = sales[sales["date"] < cutoff]
    scaler = StandardScaler()
    # ok: MLR101
    scaler.fit(train[cols])
    pca = PCA(n_components=3, random_state=0)
    # ok: MLR101
    pca.fit(scaler.transform(train[cols]))
    comps = pca.transform(scaler.transform(sales[cols]))
    out = sales.copy()
    for i in range(3):
        out[f"exog_pc{i}"] = comps[:, i]
    return out
