"""POST a Dash callback as the renderer would, by the id of one of its outputs (for the web tests)."""
from __future__ import annotations

from tests.web.conftest import csrf


def callback_key(app, output_id: str, prop: str | None = None) -> str:
    app.test_client().get("/")
    wanted = f"{output_id}.{prop}" if prop else f"{output_id}."
    keys = [k for k in app.extensions["hamyar_dash"].callback_map if wanted in k]
    assert len(keys) == 1, keys
    return keys[0]


def post_callback(client, app, output_id: str, values: dict, trigger: str, *, prop: str | None = None):
    """`values` gives each input's and state's value by component id (missing ones are None)."""
    key = callback_key(app, output_id, prop)
    entry = app.extensions["hamyar_dash"].callback_map[key]

    def dep(d):
        cid = d["id"]
        if cid.startswith("{"):  # a pattern id (ALL): the renderer sends the matching components, a list
            return values.get(cid, [])
        return {"id": cid, "property": d["property"], "value": values.get(str(cid), values.get(cid))}

    outputs = [{"id": k.split(".")[0], "property": k.split(".")[-1]} for k in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [dep(d) for d in entry["inputs"]], "state": [dep(d) for d in entry.get("state", [])],
            "changedPropIds": [trigger]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def side_update(resp) -> dict:
    """The props a callback's answer set outside its outputs (set_props: the failure region)."""
    return (resp.get_json() or {}).get("sideUpdate") or {}


def render(client, path: str):
    """A page as the Dash Pages router renders it (what the browser shows after loading `path`): the response."""
    from dash_app import auth

    path, _, query = path.partition("?")
    body = {"output": auth.pages_router_key(),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": f"?{query}" if query else ""}],
            "changedPropIds": ["_pages_location.pathname"]}
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def rendered_text(client, path: str) -> str:
    import json

    resp = render(client, path)
    assert resp.status_code == 200, resp.data
    return json.dumps(resp.get_json(), ensure_ascii=False)
