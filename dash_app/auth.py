"""Who may do what on the web: sign-in sessions, CSRF, the request guard and secured Dash callbacks.

Imports dash, flask, flask-login and models; pages import this. Deny by default: a Dash callback that
was not registered through `secured_callback` is refused, and a page says which roles may see it.

Roles (docs/design.md#roles): ANYONE (no sign-in), CITIZEN (any signed-in user), GOVERNORATE (staff),
MEMBER and CHAIR (of the table whose id the callback reads from `table_from`).
"""
from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import dash
from flask import Flask, abort, current_app, g, has_request_context, jsonify, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user

from models.core.errors import PermissionDenied
from models.core.permissions import ANONYMOUS, Roles, roles_of
from models.orm.people import User

ANYONE = "anyone"
CITIZEN = "citizen"
GOVERNORATE = "governorate"
MEMBER = "member"
CHAIR = "chair"
ROLES = frozenset({ANYONE, CITIZEN, GOVERNORATE, MEMBER, CHAIR})
TABLE_ROLES = frozenset({MEMBER, CHAIR})

CSRF_SESSION_KEY = "_csrf"
CSRF_COOKIE = "_csrf_token"      # Dash 4's renderer copies this cookie ...
CSRF_HEADER = "X-CSRFToken"      # ... into this header on every callback POST.
CSRF_FORM_FIELD = "csrf_token"
JOBS_SESSION_KEY = "_jobs"        # "<callback output>|<cacheKey>" of the background jobs this session started
JOBS_KEPT = 8

# --- the signed-in user ------------------------------------------------------------------------


@dataclass
class SessionUser(UserMixin):
    """What a request knows about its signed-in user (a detached copy, not an ORM object)."""

    id: int
    name: str
    language: str
    is_governorate: bool
    token: str = ""  # the server-side session (models.accounts.sessions) this request belongs to
    roles_version: int = 0  # users.roles_version as this request read it (current_roles trusts carried roles by it)

    def get_id(self) -> str:
        # flask-login keeps this in the session and in the remember-me cookie; _load_user looks the token up.
        return f"{self.id}.{self.token}"


def session_user(user: User, token: str) -> SessionUser:
    return SessionUser(id=user.id, name=user.name, language=user.language, is_governorate=bool(user.is_governorate),
                       token=token, roles_version=int(user.roles_version or 0))


login_manager = LoginManager()
login_manager.login_view = None  # the guard decides; pages redirect to /login themselves
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    """The user of a live server-side session. Logging out, "log out everywhere", a new password or an
    expiry end the session row, and with it every copy of the session and remember-me cookies."""
    from dash_app.db import get_db
    from models.accounts import sessions

    uid_text, _, token = str(user_id).partition(".")
    try:
        uid = int(uid_text)
    except (TypeError, ValueError):
        return None
    with get_db().reader() as s:
        check = sessions.check_session(s, uid, token)
        if check is None:
            return None
        loaded = session_user(check.user, token)
    if check.due_touch:
        try:
            with get_db().unit_of_work() as s:
                sessions.touch_session(s, check.session_id)
        except Exception:  # noqa: BLE001 - noting the time is best effort; the request goes on
            current_app.logger.warning("could not note the use of session %s", check.session_id, exc_info=True)
    return loaded


def current_user_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


ROLES_SESSION_KEY = "_roles"  # {"user", "version", "member", "chair"}: the table roles this signed session carries


def current_roles() -> Roles:
    """The signed-in user's roles (ANONYMOUS when nobody is signed in), once per request.

    The table roles travel in the signed session with the users.roles_version they were read at, and are
    used only while that is the version `_load_user` read from the user's row on this request (every role
    change moves it in its own transaction: models.orm.roles_version); otherwise, or for another user, they
    are read again (models.core.permissions.roles_of) and carried anew. The governorate flag and the
    account being active come from that same row, read on every request."""
    if "hamyar_roles" not in g:
        uid = current_user_id()
        if uid is None:
            g.hamyar_roles = ANONYMOUS
        else:
            version = int(getattr(current_user, "roles_version", 0))
            carried = session.get(ROLES_SESSION_KEY)
            if (isinstance(carried, dict) and carried.get("user") == uid and carried.get("version") == version
                    and isinstance(carried.get("member"), list) and isinstance(carried.get("chair"), list)):
                g.hamyar_roles = Roles(citizen=True, governorate=bool(current_user.is_governorate),
                                       member_of=frozenset(carried["member"]), chair_of=frozenset(carried["chair"]))
            else:
                from dash_app.db import get_db

                with get_db().reader() as s:
                    roles = roles_of(s, uid)
                g.hamyar_roles = roles
                if roles.is_anonymous:
                    session.pop(ROLES_SESSION_KEY, None)
                else:
                    session[ROLES_SESSION_KEY] = {"user": uid, "version": version, "member": sorted(roles.member_of),
                                                  "chair": sorted(roles.chair_of)}
    return g.hamyar_roles


def admits(allowed: Iterable[str], roles: Roles, table_id: int | None = None) -> bool:
    """True when `roles` holds one of the `allowed` roles (MEMBER/CHAIR only for `table_id`)."""
    allowed = frozenset(allowed)
    if ANYONE in allowed:
        return True
    if roles.is_anonymous:
        return False
    if CITIZEN in allowed and roles.citizen:
        return True
    if GOVERNORATE in allowed and roles.governorate:
        return True
    if table_id is not None:
        if MEMBER in allowed and table_id in roles.member_of:
            return True
        if CHAIR in allowed and table_id in roles.chair_of:
            return True
    return False


def require(allowed: Iterable[str], table_id: int | None = None) -> Roles:
    """Inside a callback or view, before touching data: PermissionDenied unless the user may."""
    roles = current_roles()
    if not admits(allowed, roles, table_id):
        raise PermissionDenied("not_signed_in" if roles.is_anonymous else "forbidden")
    return roles


# --- CSRF --------------------------------------------------------------------------------------


def csrf_token() -> str:
    """This session's CSRF token (made on first use); forms put it in a hidden `csrf_token` field."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def rotate_csrf_token() -> str:
    session.pop(CSRF_SESSION_KEY, None)
    return csrf_token()


def csrf_valid(sent: str | None) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    return bool(sent and expected) and hmac.compare_digest(str(sent), str(expected))


def check_form_csrf() -> None:
    """For POSTed HTML forms: 400 unless the form carries this session's token."""
    if not csrf_valid(request.form.get(CSRF_FORM_FIELD)):
        abort(400, description="csrf_failed")


# --- secured callbacks -------------------------------------------------------------------------


def _dep_key(dep: Any) -> tuple[Any, str] | None:
    if dep is None:
        return None
    if isinstance(dep, tuple):
        return dep[0], dep[1]
    return dep.component_id, dep.component_property


@dataclass(frozen=True)
class CallbackRule:
    """Who may fire one callback; `table_from` is the (component id, property) holding the table id."""

    roles: frozenset[str]
    table_from: tuple[Any, str] | None = None
    name: str = ""
    background: bool = False
    # Where `table_from` sits among the callback's inputs then states (the order Dash passes values in).
    table_index: int | None = None

    @property
    def public(self) -> bool:
        return ANYONE in self.roles

    def table_id_at(self, items: list[Any]) -> int | None:
        """The table id at this rule's registered position among a callback's inputs then states; None
        when there is none or it is not an integer (the guard refuses such bodies before they get here)."""
        if self.table_index is None or self.table_index >= len(items):
            return None
        item = items[self.table_index]
        value = item.get("value") if isinstance(item, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def table_id_in(self, items: Iterable[Any]) -> int | None:
        """The table id among a callback's inputs and states (Dash's [{"id","property","value"}])."""
        if self.table_from is None:
            return None
        want_id, want_prop = self.table_from
        for item in items:
            if isinstance(item, list):
                found = self.table_id_in(item)
                if found is not None:
                    return found
                continue
            if not isinstance(item, dict):
                continue
            if item.get("id") == want_id and item.get("property") == want_prop:
                from dash_app.i18n import parse_int

                value = item.get("value")
                if isinstance(value, dict):
                    value = value.get("table_id")
                try:
                    return parse_int(value) if value is not None else None
                except (TypeError, ValueError, ArithmeticError):
                    return None
        return None


@dataclass
class _Spec:
    args: tuple
    kwargs: dict
    func: Callable
    rule: CallbackRule
    clientside: str | None = None


# Every callback of every page module, in import order; create_app attaches them to its Dash app.
_SPECS: dict[str, _Spec] = {}


def secured_callback(*args: Any, roles: Iterable[str], table_from: Any = None, **kwargs: Any):
    """`@dash.callback` with the roles allowed to fire it; use it for EVERY callback.

        @secured_callback(Output(ids.X, "children"), Input(ids.BTN, "n_clicks"),
                          State(ids.TABLE_ID, "data"), roles={CHAIR}, table_from=State(ids.TABLE_ID, "data"))
        def decide(n, table_id): ...

    MEMBER and CHAIR need `table_from`: the Input/State (or (id, property)) holding the table id
    (an int, a numeric string, or a dict with "table_id"). The guard checks the rule before Dash runs
    the callback, and the callback checks it again when it runs.
    """
    allowed = frozenset(roles)
    unknown = allowed - ROLES
    if not allowed or unknown:
        raise ValueError(f"secured_callback needs roles from {sorted(ROLES)}, got {sorted(allowed)}")
    table_dep = _dep_key(table_from)
    if allowed & TABLE_ROLES and table_dep is None:
        raise ValueError("MEMBER and CHAIR rules need table_from= (where the table id is read from)")

    def decorate(func: Callable) -> Callable:
        name = f"{func.__module__}.{func.__qualname__}"
        _SPECS[name] = _Spec(args, kwargs, func, CallbackRule(allowed, table_dep, name, bool(kwargs.get("background")),
                                                              _dependency_index(args, table_dep)))
        return func

    return decorate


def _flat(args: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(_flat(a) if isinstance(a, (list, tuple)) else [a])
    return out


def _dependency_index(args: tuple, dep: tuple[Any, str] | None) -> int | None:
    """The position of `dep` among the callback's Inputs then States (how Dash orders their values)."""
    if dep is None:
        return None
    flat = _flat(args)
    deps = [a for a in flat if type(a) is dash.Input] + [a for a in flat if type(a) is dash.State]
    keys = [_dep_key(d) for d in deps]
    if keys.count(dep) != 1:
        raise ValueError(f"table_from={dep} must be exactly one of the callback's inputs or states")
    return keys.index(dep)


def _checked(spec: _Spec, server: Flask) -> Callable:
    rule = spec.rule

    @functools.wraps(spec.func)
    def run(*a: Any, **kw: Any) -> Any:
        if not has_request_context():
            # A background job (dash_app.background): check the user of the request that started it.
            from dash_app.background import job_request_context

            with job_request_context(server):
                return run(*a, **kw)
        try:
            ctx = dash.callback_context
            items = list(ctx.inputs_list or []) + list(ctx.states_list or [])
        except Exception:  # noqa: BLE001 - called outside a Dash request: no inputs to read
            items = []
        table_id = rule.table_id_at(items)
        if not admits(rule.roles, current_roles(), table_id):
            raise PermissionDenied("forbidden")
        return spec.func(*a, **kw)

    return run


RULES_KEY = "hamyar_callback_rules"


def pages_router_key() -> str:
    """The callback_map key of Dash Pages' own router, which renders every (public or not) page."""
    from dash.dash import _ID_CONTENT, _ID_STORE

    return f"..{_ID_CONTENT}.children...{_ID_STORE}.data.."


def install_callbacks(app: dash.Dash) -> dict[str, CallbackRule]:
    """Attach every secured callback to `app` and return the rule of each callback_map key."""
    rules: dict[str, CallbackRule] = {
        # Renders page layouts; each layout checks its own roles (see dash_app.layout.register_page).
        pages_router_key(): CallbackRule(frozenset({ANYONE}), None, "dash.pages.router"),
    }
    for spec in _SPECS.values():
        before = set(app.callback_map)
        app.callback(*spec.args, **spec.kwargs)(_checked(spec, app.server))
        added = set(app.callback_map) - before
        for key in added:
            rules[key] = spec.rule
            if spec.rule.table_index is not None:  # the registration agrees with the position worked out above
                entry = app.callback_map[key]
                deps = [(d["id"], d["property"]) for d in entry.get("inputs", []) + entry.get("state", [])]
                assert deps[spec.rule.table_index] == spec.rule.table_from, (key, spec.rule)
    app.server.extensions[RULES_KEY] = rules
    return rules


def rule_for(server: Flask, key: str) -> CallbackRule | None:
    return server.extensions.get(RULES_KEY, {}).get(key)


def _json_error(status: int, code: str):
    resp = jsonify({"error": code, "status": status})
    resp.status_code = status
    return resp


def _well_formed_dep(item: Any, with_value: bool) -> bool:
    if isinstance(item, list):  # a pattern-matching (ALL/ALLSMALLER) dependency: a list of matches
        return all(not isinstance(i, list) and _well_formed_dep(i, with_value) for i in item)
    return (isinstance(item, dict) and isinstance(item.get("id"), (str, dict))
            and isinstance(item.get("property"), str))


def _well_formed(body: Any) -> bool:
    """The shape Dash's renderer sends; anything else is refused before Dash (which answers 500 to it)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    outputs = body.get("outputs")
    if not (_well_formed_dep(outputs, False) or isinstance(outputs, list) and all(
            _well_formed_dep(o, False) for o in outputs)):
        return False
    if not isinstance(body.get("inputs"), list):
        return False
    for name in ("inputs", "state"):
        deps = body.get(name, [])
        if not isinstance(deps, list) or not all(_well_formed_dep(d, True) for d in deps):
            return False
    changed = body.get("changedPropIds", [])
    return isinstance(changed, list) and all(isinstance(c, str) for c in changed) and _ints_fit(body)


WILDCARDS = ("ALL", "ALLSMALLER", "MATCH")


def _pattern_matches(registered: dict, sent: Any) -> bool:
    """A sent id fits a registered pattern id: the same keys, and the same value where it is no wildcard."""
    if not isinstance(sent, dict) or set(sent) != set(registered):
        return False
    return all(isinstance(want, list) and len(want) == 1 and want[0] in WILDCARDS or sent[k] == want
               for k, want in registered.items())


def _dep_matches(registered: dict, sent: Any) -> bool:
    """One sent dependency has the registered id and property (a pattern: a list of matches, or one for MATCH)."""
    rid, prop = registered.get("id"), registered.get("property")
    if isinstance(rid, str) and rid.startswith("{"):
        import json

        pattern = json.loads(rid)
        matches = sent if isinstance(sent, list) else [sent]
        return all(isinstance(m, dict) and m.get("property") == prop and _pattern_matches(pattern, m.get("id"))
                   for m in matches)
    return isinstance(sent, dict) and sent.get("id") == rid and sent.get("property") == prop


def _matches_callback(body: dict) -> bool:
    """As many outputs, inputs and states as the registered callback has (Dash answers 500 otherwise)."""
    entry = current_app.extensions["hamyar_dash"].callback_map.get(body["output"])
    if entry is None:
        return True  # the router and other callbacks Dash adds itself; the rule check already admitted it
    key = body["output"]
    n_outputs = len(key.strip(".").split("...")) if key.startswith("..") else 1
    outputs = body["outputs"]
    sent_outputs = len(outputs) if isinstance(outputs, list) and key.startswith("..") else 1
    return (sent_outputs == n_outputs and len(body["inputs"]) == len(entry.get("inputs", []))
            and len(body.get("state", [])) == len(entry.get("state", [])))


def _dependencies_match(body: dict) -> bool:
    """The inputs and states carry the registered ids and properties in the registered order: Dash passes
    the callback its values by position, so the guard must read (the table id) where the callback will."""
    entry = current_app.extensions["hamyar_dash"].callback_map.get(body["output"])
    if entry is None:
        return True
    registered = entry.get("inputs", []) + entry.get("state", [])
    return all(_dep_matches(r, d) for r, d in zip(registered, body["inputs"] + body.get("state", [])))


def _could_admit(rule: CallbackRule, roles: Roles) -> bool:
    """Whether some table id (or none) would admit `roles` to `rule`: the rest is refused before its shape."""
    return (admits(rule.roles, roles, None) or MEMBER in rule.roles and bool(roles.member_of)
            or CHAIR in rule.roles and bool(roles.chair_of))


def _table_value_ok(rule: CallbackRule, items: list[Any]) -> bool:
    """The table id a table-scoped rule reads is an integer or absent (a store holds an int; a dict,
    text or a list would reach the callback as such and fail there)."""
    if rule.table_index is None or rule.table_index >= len(items):
        return True
    item = items[rule.table_index]
    value = item.get("value") if isinstance(item, dict) else None
    return value is None or isinstance(value, int) and not isinstance(value, bool)


def _json_body() -> Any:
    """The POSTed JSON, or None when it is not JSON or nested too deeply for the parser (RecursionError,
    which Werkzeug's silent=True lets through as a 500). Moderately deep bodies parse and are then
    refused by `_ints_fit`, which looks no deeper than 50 levels."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _ints_fit(value: Any, depth: int = 0) -> bool:
    """No integer beyond 64 bits (a browser never sends one; the databases cannot store or look one up)."""
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if depth > 50:
        return False
    if isinstance(value, list):
        return all(_ints_fit(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_ints_fit(v, depth + 1) for v in value.values())
    return True


def _guard_callback():
    if not csrf_valid(request.headers.get(CSRF_HEADER)):
        return _json_error(403, "csrf_failed")
    body = _json_body()
    if not _well_formed(body):
        return _json_error(400, "bad_request")
    rule = rule_for(current_app, body["output"])
    if rule is None:
        return _json_error(403, "unregistered_callback")
    if not _matches_callback(body):
        return _json_error(400, "bad_request")
    if rule.background and (request.args.get("cacheKey") or request.args.get("job")):
        # Polling a background job: Dash's renderer sends no values then, only the signed handles of
        # a job that an earlier request (which passed this guard, and whose job checked its user
        # again) started. Admit the poll only from the session that started that job.
        # The key is tied to the callback that started it: a table job's key does not poll an export.
        if current_roles().is_anonymous:
            return _json_error(401, "not_signed_in")
        if _job_handle(body["output"], request.args.get("cacheKey")) not in session.get(JOBS_SESSION_KEY, []):
            return _json_error(403, "forbidden")
        return None if _dependencies_match(body) else _json_error(400, "bad_request")
    if rule.background:
        g.hamyar_starts_job = body["output"]
    if rule.public:
        if body["output"] != pages_router_key():
            # Another public callback (voting without an account, issue 23): its registered shape, like the rest.
            return None if _dependencies_match(body) else _json_error(400, "bad_request")
        # Dash's Pages router fails with a 500 on a non-text pathname/search.
        items = list(body.get("inputs") or []) + list(body.get("state") or [])
        if not all(isinstance(i, dict) and isinstance(i.get("value"), str) for i in items):
            return _json_error(400, "bad_request")
        return None
    roles = current_roles()
    if roles.is_anonymous:
        return _json_error(401, "not_signed_in")
    if not _could_admit(rule, roles):
        return _json_error(403, "forbidden")
    items = list(body.get("inputs") or []) + list(body.get("state") or [])
    entry = current_app.extensions["hamyar_dash"].callback_map.get(body["output"]) or {}
    registered = entry.get("inputs", []) + entry.get("state", [])
    if (rule.table_index is not None and rule.table_index < len(registered)
            and _dep_matches(registered[rule.table_index], items[rule.table_index])
            and not admits(rule.roles, roles, rule.table_id_at(items))):
        return _json_error(403, "forbidden")  # the table id where the callback reads it: not this person's
    if not _dependencies_match(body) or not _table_value_ok(rule, items):
        return _json_error(400, "bad_request")
    if not admits(rule.roles, roles, rule.table_id_at(items)):
        return _json_error(403, "forbidden")
    return None


def _job_handle(output: str, cache_key: Any) -> str:
    return f"{output}|{cache_key}"


# --- pages -------------------------------------------------------------------------------------

# Paths served to anyone without a page check (files, Dash's own GET endpoints, account routes).
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/_dash-layout",
                   "/_dash-dependencies", "/_reload-hash", "/favicon.ico", "/healthz", "/readyz", "/api/")
API_PATH = "/api"  # the open data's documentation; /api/… is the API itself (dash_app.api): public, no session
ACCOUNT_PATHS = ("/login", "/register", "/logout", "/language", "/account/sessions/end", "/account/password")


def page_for_path(path: str) -> dict | None:
    from dash._pages import _path_to_page

    page, _vars = _path_to_page(path.strip("/"))
    return page or None


def page_roles(page: dict | None) -> frozenset[str]:
    if not page:
        return frozenset({ANYONE})
    return frozenset(page.get("roles") or ())


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after a form (never another host)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class GuardConfig:
    update_path: str = "/_dash-update-component"
    public_prefixes: tuple[str, ...] = field(default=PUBLIC_PREFIXES)
    suites_prefix: str = "/_dash-component-suites/"


def known_component_file(dash_app: dash.Dash, rest: str) -> bool:
    """`<package>/<file>` after /_dash-component-suites/ names a file Dash registered (Dash itself
    answers 500 to anything else, `..%2f..` included: it raises DependencyException or KeyError)."""
    from dash.fingerprint import check_fingerprint

    package, _, file = rest.partition("/")
    if not package or not file:
        return False
    path_in_package, _fingerprinted = check_fingerprint(file)
    return path_in_package in dash_app.registered_paths.get(package, ())


def init_auth(server: Flask, dash_app: dash.Dash) -> None:
    """Bind flask-login, the CSRF cookie and the before-request guard to `server`."""
    login_manager.init_app(server)
    # Chair ballots are linked to their voters only by a MAC under a key that is not in the database
    # (models.tables.elections): derived from SECRET_KEY, the same on every web and Celery worker.
    from models.tables.elections import ballot_key_from_secret, configure_ballot_key

    configure_ballot_key(server.extensions["hamyar_db"], ballot_key_from_secret(server.config["SECRET_KEY"]))
    import models.pb.cycles as pb_cycles  # PB ballots likewise (issue 18 item 5), with a key of their own

    pb_cycles.configure_ballot_key(server.extensions["hamyar_db"],
                                   pb_cycles.ballot_key_from_secret(server.config["SECRET_KEY"]))
    from models.core.residency import configure_register_key, register_key_from_secret

    # National codes are stored as MACs under a key derived from SECRET_KEY (issue 23): never in the database.
    configure_register_key(server.extensions["hamyar_db"], register_key_from_secret(server.config["SECRET_KEY"]))
    prefix = dash_app.config.routes_pathname_prefix.rstrip("/")
    config = GuardConfig(update_path=f"{prefix}/_dash-update-component",
                         suites_prefix=f"{prefix}/_dash-component-suites/")

    @server.before_request
    def _guard():
        path = request.path
        if request.method == "POST" and path == config.update_path:
            return _guard_callback()
        if path.startswith(config.suites_prefix) and not known_component_file(
                dash_app, path[len(config.suites_prefix):]):
            abort(404)
        if path.startswith(config.public_prefixes) or path in ACCOUNT_PATHS or path == API_PATH:
            return None
        if request.method not in ("GET", "HEAD"):
            return None  # Flask answers 405/404; account forms check their own CSRF token
        page = page_for_path(path)
        if page is None:
            g.hamyar_status = 404  # Dash renders the not-found page
            return None
        allowed = page_roles(page)
        if not allowed:
            abort(403)  # a page that named no roles is nobody's (deny by default)
        if admits(allowed, current_roles()):
            return None
        if current_roles().is_anonymous:
            # Keep the query too: /pledge?table=3 must come back with its table after logging in.
            query = request.query_string.decode("latin-1")
            target = path + (f"?{query}" if query else "")
            return redirect(f"/login?next={quote(target, safe='/')}", code=302)
        g.hamyar_status = 403
        return None

    @server.after_request
    def _csrf_cookie(response):
        if request.path.startswith(("/assets/", "/_dash-component-suites/", "/api/")) or request.path == API_PATH:
            return response  # no form there: no token, so no cookie (an API answer is the same for everyone)
        token = csrf_token() if request.method in ("GET", "HEAD") else session.get(CSRF_SESSION_KEY)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE, token, httponly=False, samesite="Lax",
                secure=bool(server.config.get("SESSION_COOKIE_SECURE")), path="/",
            )
        if g.get("hamyar_starts_job") and response.status_code == 200 and response.is_json:
            handles = response.get_json(silent=True) or {}
            if isinstance(handles.get("cacheKey"), str):
                handle = _job_handle(g.hamyar_starts_job, handles["cacheKey"])
                session[JOBS_SESSION_KEY] = (session.get(JOBS_SESSION_KEY, []) + [handle])[-JOBS_KEPT:]
        status = g.get("hamyar_status")
        if status and response.status_code == 200 and response.mimetype == "text/html":
            response.status_code = status
        return response

    @server.errorhandler(PermissionDenied)
    def _denied(exc: PermissionDenied):
        code = 401 if exc.code == "not_signed_in" else 403
        return _json_error(code, exc.code)
