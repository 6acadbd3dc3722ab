"""Azure Functions HTTP trigger for demand forecasts."""

import json
import logging

import azure.functions as func
import joblib
import pandas as pd

app = func.FunctionApp()
FORECASTER_VERSION = "demand-2024-w18"
# ruleid: MLR301
forecaster = joblib.load(f"models/{FORECASTER_VERSION}.joblib")


@app.route(route="forecast", methods=["POST"])
def forecast(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    frame = pd.DataFrame(body["rows"])
    # ruleid: MLR402
    yhat = forecaster.predict(frame)
    # ruleid: MLR304
    logging.info("forecast request: %s", body)
    # ok: MLR401
    return func.HttpResponse(json.dumps({"forecast": yhat.tolist(), "model_version": FORECASTER_VERSION}))
