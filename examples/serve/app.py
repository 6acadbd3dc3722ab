"""Online churn scoring for the retention team's dashboard."""

import logging

import joblib
import numpy as np
import pandas as pd
import requests
from fastapi import FastAPI, Request

logger = logging.getLogger("churn-api")
app = FastAPI(title="churn-api")

bundle = joblib.load("artifacts/churn_model.joblib")
MODEL = bundle["model"]
SCALER = bundle["scaler"]
COLUMNS = bundle["columns"]
NUMERIC_COLUMNS = ["tenure_months", "monthly_charges", "support_tickets_90d", "logins_30d"]
SUPPORT_API = "http://support.internal/api"


def recent_ticket_count(customer_id: str) -> int:
    resp = requests.get(f"{SUPPORT_API}/customers/{customer_id}/tickets", params={"days": 90})
    return len(resp.json())


def prepare(payload: dict) -> pd.DataFrame:
    df = pd.DataFrame([payload])
    df["charges_per_month_of_tenure"] = df["monthly_charges"] / (df["tenure_months"] + 1)
    df["tickets_per_login"] = df["support_tickets_90d"] / (df["logins_30d"] + 1)
    df["log_monthly_charges"] = np.log1p(df["monthly_charges"])
    df = pd.get_dummies(df, columns=["plan", "region", "payment_method"], dtype=float)
    df = df.reindex(columns=COLUMNS, fill_value=0.0)
    df[NUMERIC_COLUMNS] = SCALER.transform(df[NUMERIC_COLUMNS])
    return df


@app.post("/predict")
async def predict(request: Request) -> dict:
    payload = await request.json()
    logger.info("scoring request %s", payload)
    payload["support_tickets_90d"] = recent_ticket_count(payload["customer_id"])
    features = prepare(payload)
    score = float(MODEL.predict_proba(features)[0, 1])
    return {"customer_id": payload.get("customer_id"), "churn_probability": score}
