"""Text renderer: ordering, markers, counts, drift wording, colour only when asked."""

from __future__ import annotations

import pytest

from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan, Unmanaged
from quotesync_gitops.render.text import TEXT_CHILD_LIMIT, render_text
from tests.render.sample_plans import full_plan, product


def _index(text: str, needle: str) -> int:
    assert needle in text, f"{needle!r} not in output:\n{text}"
    return text.index(needle)


def test_deletions_and_replacements_come_first_then_apply_order() -> None:
    text = render_text(full_plan())
    order = [
        "-   QuoteConnection/Old quotes",
        "-/+ PriceList/EUR prices",
        "+   ErpConnection/Visma",
        "~   PriceList/Standard",
        "↺   ErpConnector/Legacy",
        "⇅   SyncSettings/default",
    ]
    positions = [_index(text, line) for line in order]
    assert positions == sorted(positions)


def test_each_action_is_marked_and_explained() -> None:
    text = render_text(full_plan())
    assert "QuoteConnection/Old quotes  soft delete (marked deleted)" in text
    assert "PriceList/EUR prices        replace: currency cannot change after creation" in text
    assert "ErpConnector/Legacy         restore (soft-deleted in the CRM)" in text
    assert "SyncSettings/default        reorder" in text
    assert 'currency: "EUR" → "SEK"' in text
    assert 'description: (none) → "Visma Business"' in text
    assert 'priority: ["Visma", "SAP"] → ["SAP", "Visma"]' in text


def test_products_listed_under_their_price_list_with_unchanged_count() -> None:
    text = render_text(full_plan())
    start = _index(
        text, "~   PriceList/Standard          update (3 product changes, 1234 unchanged)"
    )
    end = _index(text, "↺   ErpConnector/Legacy")
    block = text[start:end]
    # Product deletions first inside the price list too.
    assert block.index("-   Product/A-300  soft delete (taken out of assortment)") < block.index(
        "+   Product/A-100  create"
    )
    assert "          listPrice: 10.0 → 12.0" in block
    assert "and 1234 unchanged products" in block


def test_summary_line_counts_products_too() -> None:
    text = render_text(full_plan())
    assert text.endswith(
        "Plan: 2 to create (1 product), 2 to update (1 product), 2 to delete (1 product), "
        "1 to restore, 1 to replace, 1 to reorder."
    )


def test_price_list_changing_only_products_counts_only_products() -> None:
    children = tuple(product(f"C-{i}", Action.UPDATE, parent="P") for i in range(12))
    plan = Plan(changes=[Change("PriceList", "P", Action.UPDATE, children=children)])
    assert render_text(plan).endswith(
        "Plan: 0 to create, 12 to update (12 products), 0 to delete, 0 to restore, "
        "0 to replace, 0 to reorder."
    )


def test_sections_for_unmanaged_tests_notes_and_guard() -> None:
    text = render_text(full_plan())
    assert (
        "Not managed by these manifests; never changed unless pruning is on for the kind:\n"
        "  ? QuoteConnection/Made by hand\n"
        "  ? ErpConnection/Gone  (soft-deleted in the CRM)"
    ) in text
    assert "  ok      ErpConnection/Visma" in text
    assert "  FAILED  QuoteConnection/SAP quotes: Login failed: wrong password" in text
    # The same note twice in the plan is shown once.
    assert text.count("config.password is set in the CRM but cannot be read back") == 1
    assert (
        "Warning: apply will refuse this plan without --allow-deletes:\n"
        "  - QuoteConnection/Old quotes: allowDeletes is false"
    ) in text
    assert "Warning: apply will refuse this plan without --allow-mass-changes:" in text


def test_empty_plan_says_no_changes() -> None:
    assert render_text(Plan()) == "No changes. The CRM matches the manifests."
    assert render_text(Plan(), mode="drift") == "No drift: the CRM matches the manifests."


def test_no_changes_still_lists_unmanaged() -> None:
    plan = Plan(unmanaged=[Unmanaged("QuoteConnection", "Manual")], target="http://crm")
    text = render_text(plan)
    assert text.startswith("Target: http://crm\n")
    assert "  ? QuoteConnection/Manual" in text
    assert text.endswith("No changes. The CRM matches the manifests.")


def test_drift_wording_reads_from_the_crm() -> None:
    text = render_text(full_plan(), mode="drift")
    assert text.startswith("Target: http://127.0.0.1:8080\n\nDrift detected: the CRM differs")
    assert 'currency: live: "EUR", manifests: "SEK"' in text
    assert "ErpConnection/Visma         missing from the CRM" in text
    assert (
        "QuoteConnection/Old quotes  removed in git but active in the CRM: "
        "tombstone (deleted: true)"
    ) in text
    assert "ErpConnector/Legacy         soft-deleted in the CRM" in text
    assert "New in the CRM, not in git (not managed by these manifests;" in text
    assert "→" not in text
    assert text.endswith("; 1 new in the CRM, not in git.")
    assert "Plan:" not in text


def test_drift_with_only_an_unmanaged_object_is_drift() -> None:
    plan = Plan(unmanaged=[Unmanaged("ErpConnection", "Made by hand")])
    text = render_text(plan, mode="drift")
    assert text.startswith("Drift detected")
    assert text.endswith("Drift: 1 new in the CRM, not in git.")
    # A soft-deleted unmanaged object is not new in the CRM.
    gone = Plan(unmanaged=[Unmanaged("ErpConnection", "Gone", deleted=True)])
    assert render_text(gone, mode="drift").endswith("No drift: the CRM matches the manifests.")


def test_colour_only_when_asked() -> None:
    plain = render_text(full_plan())
    assert "\x1b" not in plain
    coloured = render_text(full_plan(), color=True)
    assert "\x1b[32m+  \x1b[0m" in coloured  # create green
    assert "\x1b[33m~  \x1b[0m" in coloured  # update yellow
    assert "\x1b[31m-  \x1b[0m" in coloured  # delete red
    assert "\x1b[36m⇅  \x1b[0m" in coloured  # reorder cyan
    assert "\x1b[36m↺  \x1b[0m" in coloured  # restore cyan


def test_no_trailing_spaces_and_no_trailing_newline() -> None:
    for mode in ("plan", "drift"):
        text = render_text(full_plan(), mode=mode)
        assert not text.endswith("\n")
        assert all(line == line.rstrip() for line in text.splitlines())


def test_many_products_show_the_first_fifty_and_a_count() -> None:
    children = tuple(
        product(f"C-{i:04d}", Action.UPDATE, parent="P") for i in range(TEXT_CHILD_LIMIT + 25)
    )
    plan = Plan(changes=[Change("PriceList", "P", Action.UPDATE, children=children)])
    text = render_text(plan)
    assert "Product/C-0049" in text
    assert "Product/C-0050" not in text
    assert "… 25 more product changes (see --format json or the plan file)" in text


def test_control_characters_in_names_cannot_drive_the_terminal() -> None:
    plan = Plan(changes=[Change("ErpConnection", "evil\x1b[2J\x9b", Action.CREATE)])
    text = render_text(plan)
    assert "\x1b" not in text and "\x9b" not in text
    assert "ErpConnection/evil\\x1b[2J\\x9b" in text


def test_values_that_are_empty_strings_differ_from_absent() -> None:
    plan = Plan(
        changes=[
            Change(
                "ErpConnection", "E", Action.UPDATE, fields=(FieldChange("description", "", None),)
            )
        ]
    )
    assert 'description: "" → (none)' in render_text(plan)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown render mode 'apply'"):
        render_text(Plan(), mode="apply")


def test_a_created_mapping_is_listed_leaf_by_leaf() -> None:
    scope = {"allUsers": False, "groups": ["Sales"], "users": []}
    defaults = {"country": {"value": None, "askUser": True}}
    plan = Plan(
        changes=[
            Change(
                "ErpConnection",
                "E",
                Action.CREATE,
                fields=(
                    FieldChange("scope", None, scope),
                    FieldChange("defaults", None, defaults),
                    FieldChange("listMappings", None, {}),
                ),
            ),
            Change(
                "QuoteConnection", "Q", Action.UPDATE, fields=(FieldChange("scope", scope, None),)
            ),
        ]
    )
    text = render_text(plan)
    assert "      scope.allUsers:           (none) → false\n" in text
    assert '      scope.groups:             (none) → ["Sales"]\n' in text
    assert "      defaults.country.askUser: (none) → true\n" in text
    assert "defaults.country.value" not in text  # a null leaf says nothing
    assert "      listMappings:             (none) → {}\n" in text
    assert "      scope.users:    [] → (none)" in text
