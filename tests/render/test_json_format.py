"""JSON renderer: the versioned shape, validated against schemas/plan.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from quotesync_gitops.plan.model import Plan
from quotesync_gitops.plan.planfile import load_plan, save_plan
from quotesync_gitops.render.json_format import plan_schema, render_json
from quotesync_gitops.render.markdown import render_markdown
from quotesync_gitops.render.text import render_text
from tests.render.sample_plans import big_plan, full_plan, secret_plan

VALIDATOR = jsonschema.Draft202012Validator(plan_schema())


def _errors(document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_schema_is_a_valid_draft_2020_12_schema_with_version_2() -> None:
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["formatVersion"] == {
        "description": schema["properties"]["formatVersion"]["description"],
        "const": 2,
    }


def test_schema_file_is_reachable_at_the_repository_root() -> None:
    root = Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json"
    assert json.loads(root.read_text("utf-8")) == plan_schema()


@pytest.mark.parametrize("plan", [full_plan(), secret_plan(), Plan(), big_plan(50)])
@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_render_json_validates(plan: Plan, mode: str) -> None:
    document = json.loads(render_json(plan, mode=mode))
    assert _errors(document) == []
    if not _has_sensitive(plan):
        assert document == {**plan.to_dict(), "mode": mode}


def _has_sensitive(plan: Plan) -> bool:
    return any(f.sensitive for c in plan.changes for f in c.fields) or any(
        f.sensitive for c in plan.changes for child in c.children for f in child.fields
    )


def test_render_json_is_to_dict_with_sensitive_fields_masked_on_both_sides() -> None:
    plan = secret_plan()
    document = json.loads(render_json(plan))
    expected = plan.to_dict()
    first = expected["changes"][0]["fields"][0]
    assert first == {
        "path": "config.password",
        "before": "(sensitive)",
        "after": "(sensitive)",
        "sensitive": True,
    }
    assert document["changes"][0]["fields"][1] == {
        "path": "config.token",
        "before": None,
        "after": "(sensitive)",
        "sensitive": True,
    }
    # The product's plain live value "a" is masked because its manifest value is a secret.
    product_field = document["changes"][2]["children"][0]["fields"][0]
    assert product_field["before"] == product_field["after"] == "(sensitive)"
    assert document == {**expected, "mode": "plan"}


def test_render_json_is_indented_two_spaces() -> None:
    text = render_json(Plan())
    assert text.startswith('{\n  "formatVersion": 2,')
    assert not text.endswith("\n")


def test_schema_rejects_what_it_does_not_describe() -> None:
    document = json.loads(render_json(full_plan()))
    assert _errors({**document, "formatVersion": 1}) == ["['formatVersion']: 2 was expected"]
    assert _errors({**document, "mode": "apply"})
    assert _errors({**document, "extra": 1})
    change = document["changes"][0]
    assert _errors({**document, "changes": [{**change, "action": "destroy"}]})
    assert _errors({**document, "changes": [{**change, "children": []}]})  # no unchangedChildren
    fingerprints = {"live": {"x": "not-a-sha"}, "manifests": {}}
    assert _errors({**document, "fingerprints": fingerprints})


def test_saved_plan_file_validates_and_renders_the_same(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(secret_plan(), path)
    assert _errors(json.loads(path.read_text("utf-8"))) == []
    loaded = load_plan(path)
    # Read back, secrets are "(sensitive)" strings: still shown unquoted and as changed.
    assert render_text(loaded) == render_text(secret_plan())
    assert render_markdown(loaded) == render_markdown(secret_plan())


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown render mode"):
        render_json(Plan(), mode="text")


def test_the_documented_example_validates() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"
    example = doc.read_text("utf-8").split("```json\n", 1)[1].split("\n```", 1)[0]
    assert _errors(json.loads(example)) == []
