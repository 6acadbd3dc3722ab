"""Serving-code recognition (engine/serving.py) and the cross-file behaviour of the serving rules.

Fixtures test each rule line by line; these tests pin down the shared facts
the rules rely on (which functions are entry points, which parameters are
validated) and the properties that fixtures cannot show: configured roles win,
and MLR404 stays linear on a large repository.
"""

from __future__ import annotations

import time
from pathlib import Path

from mle_review.config import Config
from mle_review.engine.files import discover
from mle_review.engine.runner import Engine, scan_paths
from mle_review.engine.serving import ParamKind, serving_entrypoints


def _project(tmp_path: Path, files: dict[str, str], config: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    cfg = Config.model_validate(config or {})
    engine = Engine(tmp_path, cfg)
    project, errors, _states = engine.load_project(discover([tmp_path], tmp_path, cfg))
    assert not errors
    return {m.path: m for m in project.modules}


def test_entrypoints_and_parameter_kinds(tmp_path: Path) -> None:
    modules = _project(
        tmp_path,
        {
            "api/schemas.py": "from pydantic import BaseModel\n\nclass Req(BaseModel):\n    x: float\n",
            "api/app.py": (
                "from typing import Any, Dict\n"
                "from fastapi import Depends, FastAPI, Request\n"
                "from .schemas import Req\n"
                "app = FastAPI()\n\n"
                "@app.post('/a')\ndef a(req: Req, user: str = Depends(lambda: 'u')):\n    return {}\n\n"
                "@app.post('/b')\ndef b(payload: Dict[str, Any], limit: int = 3):\n    return {}\n\n"
                "@app.post('/c')\nasync def c(request: Request):\n    return {}\n\n"
                "def lambda_handler(event, context):\n    return {}\n"
            ),
        },
    )
    eps = {ep.name: ep for ep in serving_entrypoints(modules["api/app.py"])}
    assert set(eps) == {"a", "b", "c", "lambda_handler"}
    assert eps["a"].framework == "fastapi" and eps["a"].route == "/a"
    assert {p.name: p.kind for p in eps["a"].params} == {
        "req": ParamKind.VALIDATED,
        "user": ParamKind.OTHER,
    }
    assert {p.name: p.kind for p in eps["b"].params} == {
        "payload": ParamKind.RAW,
        "limit": ParamKind.SCALAR,
    }
    assert eps["c"].names(ParamKind.REQUEST) == {"request"}
    assert eps["lambda_handler"].framework == "lambda"
    assert eps["lambda_handler"].payload_params() == {"event"}


def test_model_server_hooks(tmp_path: Path) -> None:
    modules = _project(
        tmp_path,
        {
            "serve/kserve_model.py": (
                "from typing import Dict, Union\nimport kserve\nfrom kserve import InferRequest\n\n"
                "class M(kserve.Model):\n"
                "    def predict(self, payload: Dict, headers: Dict[str, str] = None):\n        return {}\n"
                "    def preprocess(self, payload: Union[Dict, InferRequest], headers=None):\n        return payload\n"
            ),
            "serve/handler.py": (
                "from ts.torch_handler.base_handler import BaseHandler\n\n"
                "class H(BaseHandler):\n"
                "    def preprocess(self, data):\n        return data\n"
                "    def postprocess(self, data):\n        return data\n"
            ),
        },
    )
    kserve = {ep.name: ep for ep in serving_entrypoints(modules["serve/kserve_model.py"])}
    assert kserve["predict"].payload_params() == {"payload"}  # headers are not the payload
    assert kserve["preprocess"].payload_params() == set()  # a typed protocol request is decoded
    torch = {ep.name: ep for ep in serving_entrypoints(modules["serve/handler.py"])}
    assert torch["preprocess"].payload_params() == {"data"}
    assert torch["postprocess"].payload_params() == set()  # model output, not client input


def test_configured_roles_override_paths(tmp_path: Path) -> None:
    files = {
        "svc/handlers_v2.py": (
            "import logging\nimport joblib\nlogger = logging.getLogger(__name__)\n"
            "model = joblib.load('m.joblib')\n\n"
            "def score_one(payload: dict):\n    logger.info('in %s', payload)\n"
            "    return float(model.predict([[payload['x']]])[0])\n"
        ),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    base = {"select": ["MLR304"]}
    as_serving = scan_paths(
        [tmp_path], tmp_path, Config.model_validate({**base, "roles": {"serving": ["svc/**"]}})
    )
    assert [f.line for f in as_serving.findings] == [7]
    as_other = scan_paths(
        [tmp_path], tmp_path, Config.model_validate({**base, "roles": {"evaluation": ["svc/**"]}})
    )
    assert as_other.findings == []  # not serving code: a payload parameter is just a dict


def test_train_serve_skew_is_linear_on_a_large_repository(tmp_path: Path) -> None:
    """600 modules, 6000 functions, one real duplicate: found quickly, no pairwise diffing."""
    body = (
        "    df['ratio_{i}'] = df['a_{i}'] / (df['b_{i}'] + 1)\n"
        "    df['log_{i}'] = np.log1p(df['a_{i}'].clip(lower=0))\n"
        "    df['flag_{i}'] = (df['a_{i}'] > {i}).astype(int)\n    return df\n"
    )
    files: dict[str, str] = {}
    for m in range(300):
        funcs = "".join(
            f"def f{m}_{k}(df):\n" + body.format(i=m * 10 + k) + "\n\n" for k in range(10)
        )
        files[f"training/train_part{m}.py"] = "import numpy as np\n\n" + funcs
        files[f"serve/part{m}.py"] = "import numpy as np\nimport fastapi\n\n" + funcs.replace(
            "df['", "frame['"
        ).replace("(df", "(frame").replace("ratio_", "r_").replace("log_", "l_").replace(
            "flag_", "g_"
        )
    files["serve/copy.py"] = "import numpy as np\nimport fastapi\n\ndef g(frame):\n" + body.format(
        i=7
    ).replace("df", "frame")
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    started = time.perf_counter()
    report = scan_paths([tmp_path], tmp_path, Config.model_validate({"select": ["MLR404"]}))
    elapsed = time.perf_counter() - started
    # the whole function is the copy: reported at its def line
    assert [(f.path, f.line) for f in report.findings] == [("serve/copy.py", 4)]
    assert report.findings[0].related[0].path == "training/train_part0.py"
    assert elapsed < 60, elapsed


def test_mlr404_leaves_unkeyed_only_bodies_without_two_transforms() -> None:
    """The cheap line count that spares most bodies from keying never spares one
    the serialiser would count two transforms in (so no unit can be lost)."""
    from mle_review.rules import mlr404_train_serve_skew as skew

    root = Path(__file__).resolve().parents[1]
    trees = [
        root / "tests" / "fixtures" / "rules",
        root / "benchmarks" / "corpus",
        root / "examples",
    ]
    cfg = Config()
    spared = keyed = 0
    for tree in trees:
        engine = Engine(tree, cfg)
        project, _errors, _states = engine.load_project(discover([tree], tree, cfg))
        for module in project.modules:
            norm = skew._Normaliser(module)
            bodies = list(skew._bodies(module))
            for (_c, body, _d), (_c2, _d2, keys) in zip(
                bodies, skew._body_keys(module), strict=True
            ):
                if body and set(keys[0]) == {skew._DEAD}:
                    spared += 1
                    transforms = sum(norm.stmt(s).transforms for s in body)
                    assert transforms < skew.MIN_TRANSFORMS, (module.path, body[0].lineno)
                else:
                    keyed += 1
    assert spared > keyed > 50  # the filter does spare most bodies, and keys the rest
