"""LitServe API for the image embedding model."""

import base64
import io
import logging

import litserve as ls
import torch
from PIL import Image
from torchvision import transforms

log = logging.getLogger(__name__)
EMBEDDER_VERSION = "clip-vit-b32-2024-02"


class EmbeddingAPI(ls.LitAPI):
    def setup(self, device):
        # ok: MLR305
        self.model = torch.jit.load(f"/models/{EMBEDDER_VERSION}/embedder.pt", map_location=device)
        self.preprocess = transforms.Compose([transforms.Resize(224), transforms.ToTensor()])

    def decode_request(self, request):
        raw = base64.b64decode(request["image_b64"])
        # ruleid: MLR402
        return self.preprocess(Image.open(io.BytesIO(raw)).convert("RGB"))

    def predict(self, x):
        with torch.no_grad():
            return self.model(x.unsqueeze(0))[0]

    def encode_response(self, output):
        # ok: MLR401
        return {"embedding": output.tolist(), "model_version": EMBEDDER_VERSION}


if __name__ == "__main__":
    ls.LitServer(EmbeddingAPI(), accelerator="auto").run(port=8000)
