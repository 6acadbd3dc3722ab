"""TorchServe handler used by the batch re-ranking job."""

import json
import logging

import torch
from ts.torch_handler.base_handler import BaseHandler

logger = logging.getLogger(__name__)


class RankerHandler(BaseHandler):
    def initialize(self, context):
        super().initialize(context)
        self.model_version = context.manifest["model"]["modelVersion"]

    def preprocess(self, data):
        rows = [json.loads(r.get("body") or r.get("data")) for r in data]
        # ruleid: MLR304
        logger.debug("preprocess rows=%s", rows)
        return torch.tensor([r["features"] for r in rows], dtype=torch.float32)

    def inference(self, data, *args, **kwargs):
        with torch.no_grad():
            return self.model(data).squeeze(-1)

    def postprocess(self, data):
        # ok: MLR401
        return [{"score": float(s), "model_version": self.model_version} for s in data]
