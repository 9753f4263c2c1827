"""No secret value in any format or mode, and changes to secrets still show as changes."""

from __future__ import annotations

from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan
from quotesync_gitops.render.json_format import render_json
from quotesync_gitops.render.markdown import render_markdown
from quotesync_gitops.render.text import render_text
from quotesync_gitops.secrets import Secret
from tests.render.sample_plans import CANARY, secret_plan


def _all_renders(plan: Plan) -> dict[str, str]:
    out = {}
    for mode in ("plan", "drift"):
        out[f"text/{mode}"] = render_text(plan, mode=mode)
        out[f"text+color/{mode}"] = render_text(plan, mode=mode, color=True)
        out[f"markdown/{mode}"] = render_markdown(plan, mode=mode)
        out[f"json/{mode}"] = render_json(plan, mode=mode)
    return out


def test_canary_never_appears() -> None:
    for name, output in _all_renders(secret_plan()).items():
        assert CANARY not in output, name
        assert "s3cr3t" not in output, name
        assert "(sensitive)" in output, name


def test_secret_changes_show_as_changed_on_both_sides() -> None:
    text = render_text(secret_plan())
    assert "config.password: (sensitive) → (sensitive) (changed)" in text
    assert "config.token:    (none) → (sensitive)\n" in text
    assert "extraField1: (sensitive) → (sensitive) (changed)" in text
    # A secret nested in a mapping: masked on both sides, the change is still visible.
    assert 'config:          {"apiKey": "(sensitive)"} → {"apiKey": "(sensitive)"} ' in text
    assert "(sensitive value changed)" in text
    drift = render_text(secret_plan(), mode="drift")
    assert "config.password: live: (sensitive), manifests: (sensitive) (changed)" in drift
    markdown = render_markdown(secret_plan())
    assert (
        "| <code>config.password</code> | <i>(sensitive)</i> | <i>(sensitive)</i> (changed) |"
        in (markdown)
    )


def test_plain_side_of_a_sensitive_field_is_masked_too() -> None:
    # A secret in the manifests whose live value the CRM hands back in plain (an ${env:}
    # value in a field that is not a Password): the live side is masked too.
    plan = Plan(
        changes=[
            Change(
                "ErpConnection",
                "E",
                Action.UPDATE,
                fields=(FieldChange("config.password", "old-plain-pw", Secret(CANARY)),),
            )
        ]
    )
    for mode in ("plan", "drift"):
        for render in (render_text, render_markdown, render_json):
            output = render(plan, mode=mode)
            assert "old-plain-pw" not in output, render
            assert CANARY not in output


def test_secret_inside_a_tuple_is_still_masked_in_text() -> None:
    # secrets.mask does not walk tuples; the renderers' encoder masks what is left.
    plan = Plan(
        changes=[
            Change(
                "SyncSettings",
                "default",
                Action.REORDER,
                fields=(FieldChange("priority", ("a", Secret(CANARY)), ("b",)),),
            )
        ]
    )
    assert CANARY not in render_text(plan)
    assert CANARY not in render_markdown(plan)
    assert CANARY not in render_json(plan)
