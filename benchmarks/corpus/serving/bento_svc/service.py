"""BentoML service for the support-ticket classifier."""

from __future__ import annotations

import bentoml
import numpy as np
from pydantic import BaseModel

# ruleid: MLR305
TICKET_MODEL = bentoml.models.get("ticket_router:latest")
# ok: MLR305
EMBEDDER = bentoml.models.get("ticket_embedder:5l3c4xqx2kd7wamd")


class Ticket(BaseModel):
    subject: str
    body: str


@bentoml.service(resources={"cpu": "2"}, traffic={"timeout": 10})
class TicketRouter:
    def __init__(self) -> None:
        self.model = bentoml.sklearn.load_model(TICKET_MODEL)
        self.labels = np.array(["billing", "bug", "account", "other"])

    @bentoml.api
    def route(self, ticket: Ticket) -> dict:
        # ok: MLR402
        label = self.labels[int(self.model.predict([f"{ticket.subject}\n{ticket.body}"])[0])]
        # ok: MLR401
        return {"queue": str(label), "model_version": str(TICKET_MODEL.tag)}

    @bentoml.api
    def route_raw(self, payload: dict) -> dict:
        # ruleid: MLR402
        label = self.labels[int(self.model.predict([payload["subject"] + "\n" + payload["body"]])[0])]
        # ruleid: MLR401
        return {"queue": str(label)}
