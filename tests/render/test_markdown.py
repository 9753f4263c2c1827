"""Markdown renderer: marker, verdict, call-outs, table, details blocks, escaping, size."""

from __future__ import annotations

import re

import pytest

from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan, TestResult, Unmanaged
from quotesync_gitops.render.markdown import COMMENT_MARKER, render_markdown
from tests.render.sample_plans import big_plan, full_plan, product


@pytest.fixture(scope="module")
def huge() -> Plan:
    return big_plan(100_000)


def _details_summaries(text: str) -> list[str]:
    return re.findall(r"<details><summary>(.*?)</summary>", text)


def test_marker_is_the_first_line_of_every_render() -> None:
    for plan in (Plan(), full_plan()):
        for mode in ("plan", "drift"):
            assert render_markdown(plan, mode=mode).split("\n", 1)[0] == COMMENT_MARKER
    assert COMMENT_MARKER == "<!-- quotesync-plan -->"


def test_heading_is_the_verdict() -> None:
    lines = render_markdown(full_plan()).splitlines()
    assert lines[1] == (
        "## Plan: 2 to create (1 product), 2 to update (1 product), 2 to delete (1 product), "
        "1 to restore, 1 to replace, 1 to reorder."
    )
    assert render_markdown(Plan()) == (
        COMMENT_MARKER + "\n## No changes. The CRM matches the manifests."
    )


def test_guard_and_deletions_are_called_out_before_the_summary_table() -> None:
    text = render_markdown(full_plan())
    caution = text.index("> [!CAUTION]")
    warning = text.index("> [!WARNING]")
    table = text.index("| Kind |")
    details = text.index("<details>")
    assert caution < warning < table < details
    assert "> **Apply will refuse this plan** unless run with `--allow-deletes` and" in text
    assert "> - `--allow-deletes`: QuoteConnection/Old quotes: allowDeletes is false" in text
    callout = text[warning:table]
    assert "<code>-</code> <code>QuoteConnection/Old quotes</code>: soft delete" in callout
    assert "<code>-/+</code> <code>PriceList/EUR prices</code>: replace: currency" in callout
    assert "<code>PriceList/Standard</code>: 1 product, soft delete" in callout
    assert "<code>A-300</code>" in callout


def test_summary_table_counts_by_kind_and_action() -> None:
    text = render_markdown(full_plan())
    assert "| Kind | create | update | soft delete | restore | replace | reorder |" in text
    assert "| Product | 1 | 1 | 1 |  |  |  |" in text
    assert "| PriceList |  | 1 |  |  | 1 |  |" in text
    assert "| **Total** | **2** | **2** | **2** | **1** | **1** | **1** |" in text


def test_one_details_block_per_resource_deletions_first() -> None:
    summaries = _details_summaries(render_markdown(full_plan()))
    assert [s.split("</b>")[0].split("<b>")[1] for s in summaries] == [
        "QuoteConnection/Old quotes",
        "PriceList/EUR prices",
        "ErpConnection/Visma",
        "PriceList/Standard",
        "ErpConnector/Legacy",
        "SyncSettings/default",
    ]
    assert summaries[3] == (
        "<code>~</code> <b>PriceList/Standard</b>: update · 1 field · "
        "3 product changes, 1234 unchanged"
    )


def test_field_changes_and_products_are_tables_inside_the_block() -> None:
    text = render_markdown(full_plan())
    block = text[text.index("<b>PriceList/Standard</b>") : text.index("<b>ErpConnector/Legacy")]
    assert "Declared in <code>manifests/pricelists.yaml:3:3</code>." in block
    assert (
        '| <code>description</code> | <code>"Old text"</code> | <code>"New text"</code> |' in block
    )
    assert block.index("<code>A-300</code>") < block.index("<code>A-100</code>")
    assert (
        "| <code>~</code> | <code>A-200</code> | update | "
        "<code>listPrice</code>: <code>10.0</code> → <code>12.0</code> |"
    ) in block
    assert "and 1234 unchanged products" in block
    assert block.count("</details>") == 1


def test_tests_unmanaged_and_notes_sections() -> None:
    text = render_markdown(full_plan())
    tests = text.index("### Connection tests")
    assert tests < text.index("### Changes")
    # Failures first.
    assert text.index("| **failed** | <code>QuoteConnection/SAP quotes</code>") < text.index(
        "| ok | <code>ErpConnection/Visma</code>"
    )
    assert "### Not managed by these manifests\n\nNever changed unless pruning is on" in text
    assert "- <code>ErpConnection/Gone</code> (soft-deleted in the CRM)" in text
    assert text.count("config.password is set in the CRM but cannot be read back") == 1


def test_drift_wording() -> None:
    text = render_markdown(full_plan(), mode="drift")
    assert text.splitlines()[1] == "## Drift detected: the CRM differs from the manifests."
    assert "| Field | Live (CRM) | Manifests (git) |" in text
    assert "| missing in CRM | changed in CRM | deleted in git |" in text
    assert "### New in the CRM, not in git" in text
    assert "removed in git but active in the CRM: tombstone (deleted: true)" in text
    assert "live <code>10.0</code>, manifests <code>12.0</code>" in text
    assert "→" not in text
    assert render_markdown(Plan(), mode="drift").endswith(
        "## No drift: the CRM matches the manifests."
    )


def test_user_values_are_escaped() -> None:
    nasty = "a|b <img src=x onerror=alert(1)> `tick` **bold** [l](http://x) @someone $x$"
    plan = Plan(
        changes=[
            Change(
                "ErpConnection",
                nasty,
                Action.UPDATE,
                fields=(FieldChange("description", nasty, "x|y"),),
                children=(product(nasty, Action.DELETE),),
            ),
        ],
        unmanaged=[Unmanaged("QuoteConnection", nasty)],
        notes=[nasty],
        tests=[TestResult("QuoteConnection", nasty, False, nasty)],
    )
    text = render_markdown(plan)
    for raw in ("a|b", "<img", "`tick`", "**bold**", "[l]", "@someone", "$x$"):
        assert raw not in text, raw
    assert "a&#124;b &#60;img src=x onerror=alert(1)&#62; &#96;tick&#96;" in text
    # Every table row keeps its number of columns.
    for line in text.splitlines():
        if line.startswith("| <code>description</code>"):
            assert line.count("|") == 4


def test_plan_stays_under_max_chars_with_100k_products(huge: Plan) -> None:
    text = render_markdown(huge, full_plan_hint="the plan artifact `plan.json`")
    assert len(text) <= 65_000
    assert text.startswith(COMMENT_MARKER + "\n## Plan: 10000 to create (10000 products), 90300")
    assert "| **Total** | **10000** | **90300** | **1** |" in text
    assert "> [!WARNING]" in text and "QuoteConnection/Doomed" in text
    assert "> **This comment is shortened**" in text
    assert "The full plan is in the plan artifact `plan.json`." in text
    cut = re.search(r"the details of (\d+) of 302 resources are left out", text)
    assert cut is not None
    shown = len(_details_summaries(text))
    assert shown + int(cut.group(1)) == 302
    assert f"_… details of {cut.group(1)} more resources cut to fit" in text
    assert text.count("<details>") == text.count("</details>")
    assert "99900 more product changes not shown here" in text


def test_drift_of_100k_products_also_fits(huge: Plan) -> None:
    text = render_markdown(huge, mode="drift", max_chars=20_000)
    assert len(text) <= 20_000
    assert "| **Total** |" in text
    assert "The full plan is in the JSON plan" in text
    assert text.count("<details>") == text.count("</details>")


def test_details_dropped_from_the_end_when_too_big() -> None:
    changes = [
        Change(
            "ErpConnection", f"C{i:03d}", Action.UPDATE, fields=(FieldChange("x" * 50, i, i + 1),)
        )
        for i in range(200)
    ]
    text = render_markdown(Plan(changes=changes), max_chars=10_000)
    assert len(text) <= 10_000
    names = [re.search(r"<b>ErpConnection/(C\d+)</b>", s) for s in _details_summaries(text)]
    shown = [m.group(1) for m in names if m]
    assert shown == [f"C{i:03d}" for i in range(len(shown))]  # a prefix: cut from the end
    assert 0 < len(shown) < 200


def test_fixed_sections_too_big_are_cut_at_a_line_end() -> None:
    plan = Plan(notes=[f"note {i} " + "n" * 400 for i in range(100)])
    text = render_markdown(plan, max_chars=5_000)
    assert len(text) <= 5_000
    assert text.startswith(COMMENT_MARKER)
    assert text.endswith(
        "_… comment cut at 5000 characters; the full plan is in the JSON plan "
        "(`quotesync plan --format json`, or `--out PLANFILE`)._"
    )


def test_nothing_cut_means_no_shortening_note() -> None:
    assert "shortened" not in render_markdown(full_plan())


def test_too_small_max_chars_is_refused() -> None:
    with pytest.raises(ValueError, match="max_chars must be at least 2000"):
        render_markdown(Plan(), max_chars=100)
