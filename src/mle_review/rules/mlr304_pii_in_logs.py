"""MLR304 pii-in-logs: personal fields or whole request payloads written to logs."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from mle_review.engine.astutil import child_nodes
from mle_review.engine.context import ModuleContext, Role
from mle_review.engine.serving import (
    LOG_METHODS,
    Assignments,
    ParamKind,
    assignments_of,
    calls_named,
    entrypoint_for,
    is_batch_job,
    is_raw_request_read,
    last_identifier,
    log_arguments,
    log_call_kind,
    may_name,
    ml_context,
    name_tokens,
    on_serving_path,
    request_names,
    scope_of,
    scopes,
)
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# Tokens that turn a personal-looking name into something safe to log.
_SAFE_TOKENS = {
    "hash",
    "hashed",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "hmac",
    "digest",
    "masked",
    "mask",
    "redacted",
    "anon",
    "anonymized",
    "anonymised",
    "pseudo",
    "pseudonym",
    "pseudonymous",
    "domain",
    "count",
    "n",
    "num",
    "len",
    "length",
    "is",
    "has",
    "present",
    "missing",
    "valid",
    "verified",
    "flag",
    "type",
    "format",
    "col",
    "cols",
    "column",
    "columns",
    "field",
    "fields",
    "key",
    "keys",
    "regex",
    "pattern",
    "re",
    "template",
    "label",
    "header",
    "idx",
    "index",
    "enabled",
    "optin",
    "consent",
    "bucket",
    "salt",
    "provider",
    "country",
    "region",
    "version",
    "sent",
    "changed",
    "status",
    "prefix",
    "suffix",
}
_ADDRESS_NOT_PERSONAL = {
    "server",
    "host",
    "bind",
    "listen",
    "mac",
    "endpoint",
    "redis",
    "service",
    "broker",
    "socket",
    "memory",
    "base",
    "url",
    "web",
    "wallet",
    "contract",
    "return",
    "reply",
    "sender",
    "from",
}
_INFRA_TOKENS = {
    "cluster",
    "server",
    "host",
    "node",
    "pod",
    "service",
    "ingress",
    "gateway",
    "proxy",
    "lb",
    "bind",
    "listen",
    "local",
    "localhost",
    "internal",
    "private",
    "dns",
    "endpoint",
    "nat",
    "vpc",
    "subnet",
    "router",
    "docker",
    "container",
    "master",
    "worker",
    "redis",
    "db",
    "database",
    "broker",
    "kafka",
    "external",
    "static",
    "elastic",
    "floating",
    "virtual",
    "vip",
    "api",
}
_ADDRESS_QUALIFIERS = {
    "home",
    "street",
    "postal",
    "billing",
    "shipping",
    "mailing",
    "residential",
    "delivery",
    "customer",
    "user",
    "patient",
    "contact",
    "applicant",
    "physical",
    "residence",
}
_NAME_OWNERS = {
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "customer",
    "user",
    "patient",
    "person",
    "client",
    "holder",
    "cardholder",
    "applicant",
    "member",
    "contact",
    "sur",
    "legal",
    "display",
    "real",
    "account",
}
_PASS_THROUGH = {
    "str",
    "repr",
    "format",
    "dict",
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "dumps",
    "loads",
    "DataFrame",
    "Series",
    "array",
    "asarray",
    "pformat",
    "deepcopy",
    "copy",
    "jsonable_encoder",
    "json_normalize",
    "from_dict",
    "from_records",
    "vars",
    "asdict",
    "pprint",
}
_FORMATTING_METHODS = {
    "format",
    "join",
    "format_map",
    "replace",
    "strip",
    "lower",
    "upper",
    "title",
}
_PERSON_OBJECTS = {
    "user",
    "customer",
    "patient",
    "client",
    "person",
    "applicant",
    "contact",
    "req",
    "payload",
    "body",
    "profile",
    "subscriber",
    "employee",
    "borrower",
    "buyer",
    "seller",
    "passenger",
    "student",
}
_SANITIZERS = {
    "hash",
    "hashed",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "hexdigest",
    "digest",
    "hmac",
    "mask",
    "masked",
    "redact",
    "redacted",
    "anonymize",
    "anonymise",
    "pseudonymize",
    "pseudonymise",
    "obfuscate",
    "scrub",
    "sanitize",
    "sanitise",
    "encrypt",
    "tokenize",
    "fingerprint",
    "truncate",
}
_SAFE_CALL_TOKENS = _SANITIZERS | {
    "domain",
    "count",
    "len",
    "length",
    "is",
    "has",
    "present",
    "missing",
    "valid",
    "bucket",
    "n",
    "num",
}
_OPAQUE_CALLS = {
    "len",
    "bool",
    "type",
    "isinstance",
    "hash",
    "id",
    "sum",
    "any",
    "all",
    "round",
    "sorted",
}
_OPAQUE_METHODS = {
    "keys",
    "count",
    "nunique",
    "isna",
    "isnull",
    "notna",
    "sum",
    "mean",
    "describe",
    "info",
}
_OPAQUE_ATTRS = {
    "shape",
    "dtypes",
    "dtype",
    "columns",
    "size",
    "ndim",
    "index",
    "status_code",
    "__class__",
}
_FEATURE_NAMES = {
    "features",
    "feature_dict",
    "features_dict",
    "feature_vector",
    "feature_values",
    "raw_features",
    "feats",
}
# Names that hold a whole input in serving code even when no request object is in sight.
_RAW_NAMES = {
    "payload",
    "body",
    "request_body",
    "request_data",
    "request_json",
    "json_body",
    "raw_input",
    "raw_payload",
    "input_data",
    "features",
    "feature_dict",
    "features_dict",
    "feature_vector",
    "feature_values",
    "raw_features",
    "feats",
    "req_body",
    "req_json",
}
_PIPELINE_IMPORTS = (
    "pandas",
    "numpy",
    "polars",
    "pyspark",
    "sklearn",
    "torch",
    "tensorflow",
    "mlflow",
    "feast",
    "dask",
    "airflow",
    "prefect",
    "dagster",
    "kfp",
    "metaflow",
    "xgboost",
    "lightgbm",
)


@lru_cache(maxsize=65536)
def personal_kind(identifier: str, owner: str | None = None) -> str | None:
    """What kind of personal data a field name denotes, or None (memoised: names repeat)."""
    tokens = name_tokens(identifier)
    if not tokens or set(tokens) & _SAFE_TOKENS:
        return None
    if identifier.isupper():
        return None  # CLUSTER_IP, ADMIN_EMAIL: configuration constants, not someone's data
    joined = "_".join(tokens)
    tset = set(tokens)
    if tset & {"email", "emails", "mail"} and (
        tset & {"email", "emails"} or joined in ("mail", "e_mail")
    ):
        return "email address"
    if tset & {"phone", "mobile", "msisdn", "telephone", "cellphone"}:
        return "phone number"
    if tset & {"ssn", "passport"} or any(
        p in joined
        for p in ("social_security", "national_id", "tax_id", "driver_licen", "drivers_licen")
    ):
        return "government id"
    if "dob" in tset or any(
        p in joined for p in ("date_of_birth", "birth_date", "birthdate", "birthday")
    ):
        return "date of birth"
    if ("ip" in tset and not tset & _INFRA_TOKENS) or any(
        p in joined for p in ("remote_addr", "forwarded_for", "ipaddr", "client_host")
    ):
        return "IP address"
    if (
        tset & {"street", "postcode", "zipcode"}
        or ("address" in tset and tset & _ADDRESS_QUALIFIERS)
        or (
            "address" in tset
            and owner is not None
            and bool(set(name_tokens(owner)) & _PERSON_OBJECTS)
            and not tset & _INFRA_TOKENS
        )
    ) and not tset & _ADDRESS_NOT_PERSONAL:
        return "postal address"
    if any(p in joined for p in ("card_number", "credit_card", "cc_number", "iban")):
        return "card or account number"
    if tset & {"surname", "fullname", "firstname", "lastname"} or (
        tokens[-1] == "name" and len(tokens) >= 2 and tokens[-2] in _NAME_OWNERS
    ):
        return "person's name"
    if tokens == ("name",) and owner is not None and set(name_tokens(owner)) & _PERSON_OBJECTS:
        return "person's name"
    return None


@dataclass
class Leak:
    field: str
    kind: str  # "email address", ..., or "raw input"
    node: ast.AST
    via: str | None = None  # the local name that carried it to the log call


def _slice_constants(key: ast.AST) -> list[ast.Constant]:
    """String keys of a subscript, also inside ``df.loc[mask, ["a", "b"]]``."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return [key]
    if isinstance(key, (ast.List, ast.Tuple)):
        return [c for elt in key.elts for c in _slice_constants(elt)]
    return []


class _Assignments(Protocol):
    def __contains__(self, name: object, /) -> bool: ...

    def __getitem__(self, name: str, /) -> list[ast.expr]: ...


class _Scanner:
    """Walks the values of one log call, following local assignments a few steps back."""

    def __init__(
        self,
        assigned: _Assignments,
        raw_names: set[str],
        seed: Callable[[ast.AST], bool] | None,
    ) -> None:
        self.assigned = assigned
        self.raw_names = raw_names
        self.seed = seed
        self.modules: set[str] = set()

    def scan(self, expr: ast.AST, depth: int = 0) -> list[Leak]:
        leaks: list[Leak] = []
        self._visit(expr, leaks, depth, set())
        return leaks

    def _visit(self, node: ast.AST, out: list[Leak], depth: int, seen: set[str]) -> None:
        if self.seed is not None and self.seed(node):
            out.append(Leak(ast.unparse(node), "raw input", node))
            return
        if isinstance(node, ast.Call):
            if self.seed is not None and self.seed(node.func):
                out.append(Leak(ast.unparse(node), "raw input", node))
                return
            ident = last_identifier(node.func) or ""
            tokens = set(name_tokens(ident))
            if tokens & _SAFE_CALL_TOKENS or (
                isinstance(node.func, ast.Name) and ident in _OPAQUE_CALLS
            ):
                return
            if isinstance(node.func, ast.Attribute):
                if node.func.attr in _OPAQUE_METHODS:
                    return
                if node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
                    self._field(
                        str(node.args[0].value), last_identifier(node.func.value), node, out
                    )
                    return
                if node.func.attr in (
                    "model_dump",
                    "dict",
                    "to_dict",
                    "json",
                    "model_dump_json",
                    "items",
                    "values",
                ):
                    self._visit(node.func.value, out, depth, seen)
                    return
                receiver = node.func.value
                module_call = isinstance(receiver, ast.Name) and receiver.id in self.modules
                if not module_call:
                    self._visit(receiver, out, depth, seen)  # ``email.lower()``, ``df.head()``
                if node.func.attr in _FORMATTING_METHODS or (
                    module_call and ident in _PASS_THROUGH
                ):
                    for child in [*node.args, *node.keywords]:
                        self._visit(child, out, depth, seen)
                return
            if ident in _PASS_THROUGH:  # ``str(email)``, ``json.dumps(payload)``
                for child in [*node.args, *node.keywords]:
                    self._visit(child, out, depth, seen)
            return  # other functions transform their input; what they return is not the input
        if isinstance(node, ast.Attribute):
            if node.attr in _OPAQUE_ATTRS:
                return
            owner = last_identifier(node.value)
            if node.attr == "host" and owner == "client":  # starlette request.client.host
                out.append(Leak("client.host", "IP address", node))
                return
            if self._field(node.attr, owner, node, out) or self._is_access_base(node.value):
                return
            self._visit(node.value, out, depth, seen)
            return
        if isinstance(node, ast.Subscript):
            key = node.slice
            consts = _slice_constants(key)
            if consts:
                for k in consts:
                    self._field(str(k.value), last_identifier(node.value), node, out)
                if self._is_access_base(node.value):
                    return
            self._visit(node.value, out, depth, seen)
            if not consts:
                self._visit(key, out, depth, seen)
            return
        if isinstance(node, ast.Dict):
            for key_node, v in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key_node, ast.Constant)
                    and isinstance(key_node.value, str)
                    and not isinstance(v, ast.Constant)
                ):
                    before = len(out)
                    self._visit(v, out, depth, seen)
                    if (
                        len(out) == before
                        and personal_kind(key_node.value)
                        and not self._sanitized(v)
                    ):
                        out.append(Leak(key_node.value, personal_kind(key_node.value) or "", v))
                else:
                    if key_node is not None:
                        self._visit(key_node, out, depth, seen)
                    self._visit(v, out, depth, seen)
            return
        if isinstance(node, ast.keyword):
            before = len(out)
            self._visit(node.value, out, depth, seen)
            kind = personal_kind(node.arg or "")
            if (
                len(out) == before
                and kind
                and not isinstance(node.value, ast.Constant)
                and not self._sanitized(node.value)
            ):
                out.append(Leak(node.arg or "", kind, node.value))
            return
        if isinstance(node, ast.Name):
            kind = personal_kind(node.id)
            if kind:
                out.append(Leak(node.id, kind, node))
                return
            if node.id in self.raw_names:
                out.append(Leak(node.id, "raw input", node))
                return
            if depth < 3 and node.id in self.assigned and node.id not in seen:
                seen = seen | {node.id}
                for value in self.assigned[node.id]:
                    inner: list[Leak] = []
                    self._visit(value, inner, depth + 1, seen)
                    for leak in inner:
                        out.append(Leak(leak.field, leak.kind, node, via=node.id))
            return
        for child in child_nodes(node):
            self._visit(child, out, depth, seen)

    def _is_access_base(self, node: ast.AST) -> bool:
        """``payload["amount"]`` reads one field: the payload itself is not logged."""
        return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))

    def _field(self, name: str, owner: str | None, node: ast.AST, out: list[Leak]) -> bool:
        kind = personal_kind(name, owner)
        if kind:
            out.append(Leak(name, kind, node))
            return True
        return False

    def _sanitized(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            ident = last_identifier(node.func) or ""
            return bool(set(name_tokens(ident)) & _SAFE_CALL_TOKENS) or ident in _OPAQUE_CALLS
        return False


_SECURITY_WORDS = {
    "audit",
    "security",
    "auth",
    "authn",
    "authz",
    "authenticate",
    "authentication",
    "authorize",
    "authorization",
    "login",
    "logout",
    "mfa",
    "otp",
    "permission",
    "permissions",
    "rbac",
    "acl",
}


def _security_context(ctx: ModuleContext, scope: ast.AST) -> bool:
    """A module, class or function whose job is security or audit logging."""
    names = [*ctx.path.lower().replace(".py", "").split("/")]
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        names.append(scope.name)
        cls = ctx.enclosing(scope, (ast.ClassDef,))
        if isinstance(cls, ast.ClassDef):
            names.append(cls.name)
    return any(set(name_tokens(n)) & _SECURITY_WORDS for n in names)


def _pipeline_module(ctx: ModuleContext) -> bool:
    if ctx.is_test:
        return False
    if ctx.has_role(Role.TRAINING, Role.EVALUATION) or is_batch_job(ctx):
        return True
    if ctx.has_role(Role.SERVING) or on_serving_path(ctx):
        return ml_context(ctx)
    return ctx.imports.imports_any(*_PIPELINE_IMPORTS)


_LOG_CALLEES = frozenset(LOG_METHODS | {"print"})


def _constant_collection(value: ast.expr) -> bool:
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in value.elts)
    ident = last_identifier(value) or ""
    return isinstance(value, ast.Attribute) and bool(
        set(name_tokens(ident)) & {"names", "columns", "cols"}
    )


@register
class PiiInLogs(Rule):
    id = "MLR304"
    confidence = Confidence.HIGH
    message = "personal data or a raw request payload is written to the logs"
    fix = "Log a pseudonymous id (a salted hash), counts, latency and the model version instead; keep raw inputs in an access-controlled store with a retention policy if they are needed for debugging."
    doc = RuleDoc(
        what_it_does=(
            "Finds log and print calls in serving, batch and pipeline code that write personal data: fields named "
            "like an email address, phone number, person's name, postal address, government id, date of birth, "
            'IP address or card number (as variables, attributes, `row["email"]`, `.get("phone")`, dict keys '
            "in `extra=`, structlog key-values, f-strings and %-format arguments), and, in serving code, whole "
            "request payloads: `await request.json()`, `request.get_json()`, a raw `dict` parameter, a validated "
            "request object dumped whole, a features dict or a frame built from the payload.\n\n"
            'Values are followed through local assignments, so `contact = payload["email"]` then '
            "`logger.info(contact)` is found. Logging one non-personal field of the payload, a hashed or masked "
            "value (`hash_id(...)`, `sha256(...).hexdigest()`, `mask_email(...)`), counts (`len(payload)`), "
            "field names (`payload.keys()`), shapes, latency or the model version is not reported. Covers "
            "`logging`, `logger.*`, structlog, loguru and `print`. The finding names the field, never a value."
        ),
        why_it_matters=(
            "Logs are the least protected copy of your data: shipped to third-party aggregators, kept longer than "
            "the database, readable by everyone on call, and outside the reach of deletion requests. A single "
            "`logger.info(payload)` on a prediction endpoint copies every user's personal data into them, which "
            "under GDPR/CCPA is a processing purpose you must now justify, secure and be able to erase."
        ),
        example=(
            '@app.post("/score")\ndef score(req: LoanRequest):\n    logger.info("scoring %s", req)\n'
            '    logger.info(f"applicant email={req.email}")\n'
        ),
        use_instead=(
            '@app.post("/score")\ndef score(req: LoanRequest):\n'
            '    logger.info("scoring applicant=%s fields=%d", hash_id(req.applicant_id), len(req.model_fields_set))\n'
        ),
        options=(
            "Role globs in `[tool.mle-review.roles]` decide which files are serving and pipeline code. Whole-payload "
            "logging is judged in serving code only; personal fields in serving, batch, training and evaluation code. "
            "Audit and authentication code (a module, class or function named for audit/auth/security/login) is "
            "skipped, since recording IPs and account names is its job, and capitalised configuration constants "
            "(`CLUSTER_IP`) are not someone's data."
        ),
        references=(
            "OWASP Logging Cheat Sheet: data to exclude (personal data, session ids, access tokens)",
            "GDPR Article 5(1)(c) data minimisation and Article 17 right to erasure",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        # the word test only where no callee index exists yet (it would answer exactly)
        if "_srv_call_tails" not in vars(ctx) and not may_name(ctx, _LOG_CALLEES):
            return
        if not _pipeline_module(ctx):
            return
        serving = on_serving_path(ctx)
        by_scope: dict[int, list[ast.Call]] = {}
        for call in calls_named(ctx, _LOG_CALLEES):
            func = call.func  # log_call_kind needs print(...) or a log method
            if not (
                (isinstance(func, ast.Name) and func.id == "print")
                or (isinstance(func, ast.Attribute) and func.attr in LOG_METHODS)
            ):
                continue
            if log_call_kind(ctx, call) is not None:
                by_scope.setdefault(id(scope_of(ctx, call)), []).append(call)
        if not by_scope:
            return
        for scope in scopes(ctx):
            logs = by_scope.get(id(scope), [])
            if not logs:
                continue
            raw_names: set[str] = set()
            seed: Callable[[ast.AST], bool] | None = None
            assigned = Assignments(ctx, scope)
            if serving:
                raw_names, seed = self._raw_inputs(
                    ctx, scope, assignments_of(ctx, scope, _RAW_NAMES)
                )
            scanner = _Scanner(assigned, raw_names, seed)
            scanner.modules = set(ctx.imports.names)
            if _security_context(ctx, scope):
                continue  # audit and auth logs record IPs and account names on purpose
            for call in sorted(logs, key=lambda c: (c.lineno, c.col_offset)):
                leaks: list[Leak] = []
                for arg in log_arguments(call):
                    leaks.extend(scanner.scan(arg))
                for kw in call.keywords:
                    if kw.arg and kw.arg not in ("extra", "exc_info", "stack_info", "stacklevel"):
                        kind = personal_kind(kw.arg)
                        if (
                            kind
                            and not any(lk.node is kw.value for lk in leaks)
                            and not scanner._sanitized(kw.value)
                            and not isinstance(kw.value, ast.Constant)
                            and not scanner.scan(kw.value)
                        ):
                            leaks.append(Leak(kw.arg, kind, kw.value))
                if leaks:
                    yield self._hit(ctx, call, leaks)

    def _raw_inputs(
        self, ctx: ModuleContext, scope: ast.AST, assigned: dict[str, list[ast.expr]]
    ) -> tuple[set[str], Callable[[ast.AST], bool]]:
        """Names that hold a whole request input, and the test for a raw request read.

        ``assigned`` maps the payload-like names assigned in ``scope`` to their values.
        Payload-like names count when they are parameters or are built from a
        request read; a features dict counts inside a handler unless it is a
        constant list of feature names.
        """
        ep = entrypoint_for(ctx, scope)
        names: set[str] = set()
        if ep is not None:
            names |= ep.payload_params(ParamKind.RAW, ParamKind.VALIDATED)
        req = request_names(ctx, ep)

        def seed(n: ast.AST) -> bool:
            return is_raw_request_read(n, req)

        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = {
                a.arg for a in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]
            }
            names |= params & _RAW_NAMES
        for _ in range(3):
            for name, values in assigned.items():
                if name not in _RAW_NAMES or name in names:
                    continue
                if all(_constant_collection(v) for v in values):
                    continue
                derived = any(
                    seed(n) or (isinstance(n, ast.Name) and n.id in names)
                    for v in values
                    for n in ast.walk(v)
                )
                if derived or (name in _FEATURE_NAMES and ep is not None):
                    names.add(name)
        return names, seed

    def _hit(self, ctx: ModuleContext, call: ast.Call, leaks: list[Leak]) -> Hit:
        callee = ast.unparse(call.func)
        personal = [lk for lk in leaks if lk.kind != "raw input"]
        names: list[str] = []
        for leak in personal or leaks:
            via = f", via `{leak.via}`" if leak.via else ""
            if leak.kind == "raw input":
                label = f"`{leak.via}` (from `{leak.field}`)" if leak.via else f"`{leak.field}`"
            else:
                label = f"`{leak.field}` ({leak.kind}{via})"
            if label not in names:
                names.append(label)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        if personal:
            msg = f"`{callee}(...)` writes personal data to the logs: {shown}"
            confidence = Confidence.HIGH
        else:
            msg = f"`{callee}(...)` logs the whole request input {shown}, including any personal fields in it"
            confidence = (
                Confidence.HIGH
                if any(isinstance(lk.node, ast.Attribute) for lk in leaks)
                else Confidence.MEDIUM
            )
        return Hit.at(call, msg, confidence=confidence)
