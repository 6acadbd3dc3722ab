"""MLR403 inference-dependency-without-timeout: a serving path that can hang on another service."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mle_review.engine.astutil import call_kwarg
from mle_review.engine.context import ModuleContext, dotted_name
from mle_review.engine.serving import (
    enclosing_try_handlers,
    entrypoint_for,
    imported_names,
    last_identifier,
    local_functions,
    ml_context,
    name_tokens,
    on_serving_path,
    typed_nodes,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

_HTTP_VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
_REDIS_READS = {
    "get",
    "mget",
    "hget",
    "hgetall",
    "hmget",
    "smembers",
    "sismember",
    "zrange",
    "zrevrange",
    "zscore",
    "lrange",
    "exists",
    "execute",
    "getex",
    "json",
    "ft",
}
_BOTO_SERVICES = {
    "sagemaker-runtime": {
        "invoke_endpoint",
        "invoke_endpoint_async",
        "invoke_endpoint_with_response_stream",
    },
    "runtime.sagemaker": {"invoke_endpoint"},
    "bedrock-runtime": {
        "invoke_model",
        "invoke_model_with_response_stream",
        "converse",
        "converse_stream",
    },
    "sagemaker-featurestore-runtime": {"get_record", "batch_get_record"},
    "dynamodb": {"get_item", "batch_get_item", "query"},
    "lambda": {"invoke"},
}
_LLM_METHODS = {"create", "stream", "parse"}
_NARROW = {
    "KeyError",
    "IndexError",
    "ValueError",
    "TypeError",
    "AttributeError",
    "JSONDecodeError",
    "ZeroDivisionError",
}
_TIMEOUT_WRAPPERS = {
    "wait_for",
    "fail_after",
    "move_on_after",
    "timeout",
    "timeout_after",
    "Timeout",
    "timeout_at",
}
_GUARD_DECORATOR_WORDS = {"timeout", "circuit", "breaker", "fallback", "deadline"}


@dataclass(frozen=True)
class Client:
    kind: str  # requests, httpx, aiohttp, redis, boto3, openai, anthropic, feast, grpc, urllib3
    bounded: bool  # a default timeout applies to every call
    service: str = ""
    note: str = ""


_KINDS = {
    "requests": (
        "an HTTP service",
        "Pass `timeout=(connect, read)` on every call (requests never times out by default; `session.timeout` is ignored), and return a cached or default answer when it fails.",
        Confidence.HIGH,
    ),
    "urllib": (
        "an HTTP service",
        "Pass `timeout=` to `urlopen` and handle `URLError`/`TimeoutError` with a fallback answer.",
        Confidence.HIGH,
    ),
    "urllib3": (
        "an HTTP service",
        "Create the pool with `urllib3.PoolManager(timeout=urllib3.Timeout(connect=..., read=...))` or pass `timeout=` per request.",
        Confidence.HIGH,
    ),
    "httpx": (
        "an HTTP service",
        "Do not disable httpx's timeout (`timeout=None`); set one that fits the latency budget.",
        Confidence.HIGH,
    ),
    "aiohttp": (
        "an HTTP service",
        "Create the session with `aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=...))` or pass `timeout=` per call; the default allows 5 minutes.",
        Confidence.MEDIUM,
    ),
    "redis": (
        "a Redis feature cache",
        "Create the client with `socket_timeout=` and `socket_connect_timeout=` (redis-py waits forever by default) and fall back to default features on `redis.exceptions.TimeoutError`.",
        Confidence.HIGH,
    ),
    "boto3": (
        "a remote AWS service",
        "Create the client with `config=Config(connect_timeout=..., read_timeout=..., retries={...})`; botocore's defaults are 60 s per attempt with retries.",
        Confidence.MEDIUM,
    ),
    "openai": (
        "a remote LLM API",
        "Set `timeout=` (and `max_retries=`) on the client or the call; the SDK default waits up to 10 minutes.",
        Confidence.MEDIUM,
    ),
    "anthropic": (
        "a remote LLM API",
        "Set `timeout=` (and `max_retries=`) on the client or the call; the SDK default waits up to 10 minutes.",
        Confidence.MEDIUM,
    ),
    "feast": (
        "the online feature store",
        "Bound the lookup (`await asyncio.wait_for(...)`, or a thread-pool future with `result(timeout=...)`) and fall back to default features when it fails or times out.",
        Confidence.MEDIUM,
    ),
    "grpc": (
        "a gRPC model server",
        "Pass `timeout=` (a deadline in seconds) to every stub call.",
        Confidence.HIGH,
    ),
}


def _kw_set(call: ast.Call, name: str) -> bool:
    value = call_kwarg(call, name)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _kw_none(call: ast.Call, name: str) -> bool:
    value = call_kwarg(call, name)
    return isinstance(value, ast.Constant) and value.value is None


def _has_splat(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


@register
class InferenceDependencyWithoutTimeout(Rule):
    id = "MLR403"
    confidence = Confidence.HIGH
    message = "serving code calls a remote dependency with no timeout and no fallback"
    fix = "Give the call a timeout that fits the latency budget and return a cached or default answer when it fails."
    doc = RuleDoc(
        what_it_does=(
            "On the serving path (serving modules, batch scoring jobs, and project modules they import that are not "
            "training code) finds calls to remote dependencies that can block without bound: HTTP via `requests`, "
            "`urllib`, `urllib3`, `aiohttp` and `httpx` with `timeout=None`; Redis feature caches; Feast "
            "`get_online_features`; gRPC stubs (TensorFlow Serving, Triton); AWS clients for SageMaker endpoints, "
            "Bedrock, the SageMaker feature store and DynamoDB; OpenAI and Anthropic clients.\n\n"
            "A call is fine when it passes `timeout=`, when its client was created with a default timeout "
            "(`httpx.Client`, which has a 5 s default unless set to None; `requests.Session` with a timeout-setting "
            "adapter mounted or a `partial(..., timeout=)`; `redis.Redis(socket_timeout=...)`; boto3 "
            "`Config(read_timeout=...)`; `OpenAI(timeout=...)`), when it runs under `asyncio.wait_for`, "
            "`asyncio.timeout`, `anyio.fail_after` or a timeout/circuit-breaker decorator, or when it is wrapped in a "
            "`try` whose handler returns a fallback answer (directly or at every call site of its helper). The "
            "contract's two conditions are read together: a finding needs both no timeout and no fallback. Clients "
            "whose library default is measured in minutes (botocore 60 s per attempt with retries, aiohttp 300 s, "
            "the OpenAI/Anthropic SDKs 600 s) count as unbounded, with medium confidence."
        ),
        why_it_matters=(
            "A prediction is only as available as its slowest dependency. Without a timeout, one slow feature "
            "store shard or a stuck model endpoint holds the worker until the load balancer gives up, workers run "
            "out, and the whole service stops answering, including the requests that did not need that "
            "dependency. A timeout plus a fallback (cached features, a default score, a simpler model) turns an "
            "outage into a degraded answer."
        ),
        example=(
            "def fetch_features(customer_id: str) -> dict:\n"
            '    resp = requests.get(f"{FEATURE_URL}/customers/{customer_id}")\n'
            "    return resp.json()\n"
        ),
        use_instead=(
            "def fetch_features(customer_id: str) -> dict:\n    try:\n"
            '        resp = requests.get(f"{FEATURE_URL}/customers/{customer_id}", timeout=(0.2, 0.5))\n'
            "        resp.raise_for_status()\n        return resp.json()\n"
            "    except requests.RequestException:\n        return DEFAULT_FEATURES\n"
        ),
        options=(
            "Role globs in `[tool.mle-review.roles]` decide which files are serving code. Serving code means web/model-server handlers, Lambda handlers, batch scoring jobs and the project modules they import, when they sit next to ML code (an ML library imported by the module or a project neighbour), so plain web applications are not judged; notebooks are never serving code."
        ),
        references=(
            "requests docs, 'Timeouts': requests do not time out unless a timeout is set explicitly",
            "redis-py: `socket_timeout` defaults to None (block forever)",
            "botocore `Config`: `connect_timeout` and `read_timeout` default to 60 seconds",
            "Google SRE book, 'Addressing Cascading Failures': deadlines and graceful degradation",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test or not on_serving_path(ctx) or not ml_context(ctx):
            return
        if not _may_reach_client(ctx) and not any(
            imp.target is not None and imp.name is not None and _may_reach_client(imp.target)
            for imp in imported_names(ctx).values()
        ):
            return  # no client library, client factory or stub is named here or where it imports from
        clients = _clients(ctx)
        for call in ctx.calls:
            found = self._classify(ctx, call, clients)
            if found is None:
                continue
            kind, target, note = found
            if self._guarded(ctx, call, depth=0):
                continue
            what, fix, confidence = _KINDS[kind]
            yield Hit.at(
                call,
                f"`{target}(...)` calls {what} on the serving path with no timeout{note} and no fallback; "
                "a slow dependency will hold the request until the worker pool is exhausted",
                fix=fix,
                confidence=confidence,
            )

    # -- which calls reach a remote dependency without a bound ------------------------

    def _classify(
        self, ctx: ModuleContext, call: ast.Call, clients: dict[str, Client]
    ) -> tuple[str, str, str] | None:
        qual = ctx.qualname(call) or ""
        text = dotted_name(call.func) or ""
        if _has_splat(call):
            return None  # **kwargs may carry the timeout
        if (
            qual.startswith("requests.")
            and qual.split(".")[-1] in _HTTP_VERBS
            and qual.count(".") == 1
        ):
            return None if _kw_set(call, "timeout") else ("requests", text, "")
        if qual in ("urllib.request.urlopen", "urllib2.urlopen"):
            if _kw_set(call, "timeout") or len(call.args) >= 3:
                return None
            return "urllib", text, ""
        if qual.startswith("httpx.") and qual.split(".")[-1] in _HTTP_VERBS | {"stream"}:
            return (
                ("httpx", text, " (`timeout=None` disables httpx's default)")
                if _kw_none(call, "timeout")
                else None
            )
        if qual.startswith("openai.") and qual.split(".")[-1] in _LLM_METHODS:
            if _kw_set(call, "timeout") or _kw_set(call, "request_timeout"):
                return None
            return "openai", text, " (the SDK default is 10 minutes)"
        if not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        base, client = self._client_of(ctx, call.func.value, clients)
        if client is None:
            return None
        if client.kind in ("requests", "urllib3") and method in _HTTP_VERBS | {"urlopen"}:
            if _kw_set(call, "timeout") or client.bounded:
                return None
            return client.kind, text, client.note
        if client.kind == "httpx" and method in _HTTP_VERBS | {"stream", "send"}:
            if _kw_none(call, "timeout") or (not client.bounded and not _kw_set(call, "timeout")):
                return "httpx", text, " (`timeout=None` disables httpx's default)"
            return None
        if client.kind == "aiohttp" and method in _HTTP_VERBS | {"ws_connect"}:
            if _kw_set(call, "timeout") or client.bounded:
                return None
            return "aiohttp", text, " (only aiohttp's 5-minute default)"
        if client.kind == "redis" and method in _REDIS_READS:
            return None if client.bounded else ("redis", text, "")
        if client.kind == "boto3" and method in _BOTO_SERVICES.get(client.service, set()):
            return (
                None
                if client.bounded
                else ("boto3", text, " (only botocore's 60 s default, retried)")
            )
        if client.kind in ("openai", "anthropic") and method in _LLM_METHODS and base != text:
            chain = text[len(base) :]
            if not any(
                part in chain
                for part in (
                    ".chat",
                    ".completions",
                    ".messages",
                    ".embeddings",
                    ".responses",
                    ".beta",
                )
            ):
                return None
            if (
                _kw_set(call, "timeout")
                or client.bounded
                or "with_options" in ast.unparse(call.func)
            ):
                return None
            return client.kind, text, " (the SDK default is 10 minutes)"
        if client.kind == "feast" and method in (
            "get_online_features",
            "get_online_features_async",
            "retrieve_online_documents",
        ):
            return "feast", text, ""
        if client.kind == "grpc" and method[:1].isupper():
            return None if _kw_set(call, "timeout") else ("grpc", text, "")
        return None

    def _client_of(
        self, ctx: ModuleContext, recv: ast.expr, clients: dict[str, Client]
    ) -> tuple[str, Client | None]:
        name = dotted_name(recv)
        if name is None:
            if (
                isinstance(recv, ast.Call)
                and isinstance(recv.func, ast.Attribute)
                and recv.func.attr == "with_options"
            ):
                return self._client_of(ctx, recv.func.value, clients)
            return "", None
        parts = name.split(".")
        func = ctx.enclosing_function(recv)
        local = f"{id(func)}:{parts[0]}" if func is not None else None
        if local is not None and local in clients:
            return parts[0], clients[local]
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in clients:
                return prefix, clients[prefix]
        imp = imported_names(ctx).get(parts[0])
        if imp is not None and imp.target is not None and imp.name is not None:
            other = _clients(imp.target).get(imp.name)
            if other is not None:
                return parts[0], other
        return "", None

    # -- what already bounds the call -----------------------------------------------------

    def _guarded(self, ctx: ModuleContext, node: ast.AST, depth: int) -> bool:
        func = ctx.enclosing_function(node)
        if self._wrapped(ctx, node, func):
            return True
        if func is None:
            return False
        for dec in func.decorator_list:
            ident = last_identifier(dec) or ""
            if set(name_tokens(ident)) & _GUARD_DECORATOR_WORDS:
                return True
        if depth >= 2 or entrypoint_for(ctx, func) is not None:
            return False
        sites = self._call_sites(ctx, func)
        if not sites:
            return False
        return all(self._guarded(ctx, site, depth + 1) for site in sites)

    def _wrapped(self, ctx: ModuleContext, node: ast.AST, stop: ast.AST | None) -> bool:
        for t in enclosing_try_handlers(ctx, node, stop):
            for handler in t.handlers:
                if _is_fallback(handler):
                    return True
        cur = ctx.parents.get(node)
        while cur is not None and cur is not stop:
            if isinstance(cur, ast.Call) and (last_identifier(cur.func) or "") in _TIMEOUT_WRAPPERS:
                return True
            if isinstance(cur, (ast.With, ast.AsyncWith)):
                for item in cur.items:
                    expr = item.context_expr
                    if (
                        isinstance(expr, ast.Call)
                        and (last_identifier(expr.func) or "") in _TIMEOUT_WRAPPERS
                    ):
                        return True
            cur = ctx.parents.get(cur)
        return False

    def _call_sites(
        self, ctx: ModuleContext, func: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> list[ast.AST]:
        sites: list[ast.AST] = []
        is_method = func not in local_functions(ctx).values()
        for call in ctx.calls:
            target = call.func
            if (isinstance(target, ast.Name) and target.id == func.name and not is_method) or (
                isinstance(target, ast.Attribute) and target.attr == func.name and is_method
            ):
                sites.append(call)
            elif (last_identifier(call.func) or "") in (
                "run_in_executor",
                "submit",
                "to_thread",
            ) and any(
                isinstance(a, (ast.Name, ast.Attribute)) and last_identifier(a) == func.name
                for a in call.args
            ):
                # handed to an executor: bounded when the result is awaited with a timeout
                sites.append(call)
        return sites


# Every call ``_classify`` reports resolves through an import of one of these packages or
# through a client made by a call one of these words names (``session.client(...)``, a
# gRPC ``...Stub``); imported names spell them verbatim in ASCII source.
_CLIENT_WORDS = (
    "requests",
    "urllib",
    "httpx",
    "openai",
    "aiohttp",
    "redis",
    "boto3",
    "anthropic",
    "feast",
    "client",
    "Stub",
)


def _may_reach_client(ctx: ModuleContext) -> bool:
    source = ctx.source
    return not source.isascii() or any(word in source for word in _CLIENT_WORDS)


def _is_fallback(handler: ast.ExceptHandler) -> bool:
    """A handler that answers instead of failing: it does not end by raising."""
    if handler.type is not None:
        elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names = {last_identifier(e) or "" for e in elts}
        if names <= _NARROW:
            return False
    if not handler.body:
        return False
    last = handler.body[-1]
    if isinstance(last, ast.Raise):
        return False
    return not (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and last_identifier(last.value.func) == "abort"
    )


def _clients(ctx: ModuleContext) -> dict[str, Client]:
    """Client objects created in a module, by the dotted name they are stored under."""
    store = vars(ctx)
    if "_mlr403_clients" in store:
        return store["_mlr403_clients"]  # type: ignore[no-any-return]
    clients: dict[str, Client] = {}
    store["_mlr403_clients"] = clients
    configs: dict[str, ast.Call] = {}
    bounded_sessions: set[str] = set()
    ignored_timeout: set[str] = set()
    kinds = (ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.Call)
    for node in typed_nodes(ctx, *kinds):
        pairs: list[tuple[ast.AST, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pairs = [
                (i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None
            ]
        for target, value in pairs:
            name = dotted_name(target)
            if name is None:
                continue
            func = ctx.enclosing_function(node)
            if func is not None and "." not in name:
                name = f"{id(func)}:{name}"  # a local: do not mix it up with a same-named one elsewhere
            if isinstance(value, ast.Call):
                qual = ctx.qualname(value) or ""
                if (qual.endswith("Config") and "botocore" in qual) or (
                    last_identifier(value.func) == "Config" and _kw_set(value, "read_timeout")
                ):
                    configs[name] = value
                client = _client_from_call(ctx, value, configs)
                if client is not None:
                    clients[name] = client
            if name.endswith(".request") and "timeout" in ast.unparse(value):
                bounded_sessions.add(name.rsplit(".", 1)[0])
            if name.endswith(".timeout"):
                ignored_timeout.add(name.rsplit(".", 1)[0])
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "mount"
        ):
            owner = dotted_name(node.func.value)
            adapter = node.args[1] if len(node.args) > 1 else call_kwarg(node, "adapter")
            if owner and isinstance(adapter, ast.Call) and _timeout_adapter(ctx, adapter):
                bounded_sessions.add(owner)
    for name, client in list(clients.items()):
        if client.kind == "requests":
            if name in bounded_sessions:
                clients[name] = Client("requests", True)
            elif name in ignored_timeout:
                clients[name] = Client(
                    "requests", False, note=" (requests ignores `session.timeout`)"
                )
    return clients


def _timeout_adapter(ctx: ModuleContext, adapter: ast.Call) -> bool:
    ident = last_identifier(adapter.func) or ""
    if "timeout" in ident.lower() or _kw_set(adapter, "timeout"):
        return True
    for cls in ctx.tree.body:
        if isinstance(cls, ast.ClassDef) and cls.name == ident:
            return "timeout" in ast.unparse(cls)
    return False


def _client_from_call(
    ctx: ModuleContext, call: ast.Call, configs: dict[str, ast.Call]
) -> Client | None:
    qual = ctx.qualname(call) or ""
    short = qual.rsplit(".", 1)[-1] if qual else (last_identifier(call.func) or "")
    head = qual.split(".")[0]
    if qual in ("requests.Session", "requests.session", "requests.sessions.Session"):
        return Client("requests", False)
    if head == "httpx" and short in ("Client", "AsyncClient"):
        return Client("httpx", not _kw_none(call, "timeout"))
    if head == "aiohttp" and short == "ClientSession":
        return Client("aiohttp", _kw_set(call, "timeout"))
    if head == "urllib3" and short in ("PoolManager", "HTTPConnectionPool", "HTTPSConnectionPool"):
        return Client("urllib3", _kw_set(call, "timeout"))
    if head in ("redis", "aioredis") and short in (
        "Redis",
        "StrictRedis",
        "RedisCluster",
        "from_url",
    ):
        url = call.args[0] if call.args else call_kwarg(call, "url")
        in_url = isinstance(url, ast.Constant) and "timeout" in str(url.value)
        bounded = (
            _kw_set(call, "socket_timeout")
            or _kw_set(call, "connection_pool")
            or in_url
            or _has_splat(call)
        )
        return Client("redis", bounded)
    if short == "client" and (head == "boto3" or isinstance(call.func, ast.Attribute)):
        service = call.args[0] if call.args else call_kwarg(call, "service_name")
        if not (isinstance(service, ast.Constant) and service.value in _BOTO_SERVICES):
            return None
        config = call_kwarg(call, "config")
        bounded = _has_splat(call)
        if isinstance(config, ast.Call):
            bounded = _kw_set(config, "read_timeout") or _has_splat(config)
        elif config is not None:
            name = dotted_name(config)
            known = configs.get(name or "")
            bounded = known is None or _kw_set(known, "read_timeout") or _has_splat(known)
        return Client("boto3", bounded, service=str(service.value))
    if head == "openai" and short in ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI"):
        return Client("openai", _kw_set(call, "timeout") or _has_splat(call))
    if head == "anthropic" and short in (
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AnthropicVertex",
    ):
        return Client("anthropic", _kw_set(call, "timeout") or _has_splat(call))
    if head == "feast" and short == "FeatureStore":
        return Client("feast", False)
    if short.endswith("Stub") and ("_pb2_grpc" in qual or ctx.imports.imports_any("grpc")):
        return Client("grpc", False)
    return None
