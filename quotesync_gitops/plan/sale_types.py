"""What only the CRM can tell about SaleTypeQuoteSettings: does the sale type exist, and do
the templates it names exist as templates of the right kind."""

from __future__ import annotations

from quotesync_gitops.model import LiveContext, Resource
from quotesync_gitops.suggest import did_you_mean

#: Manifest key → the QuoteDocType its template must have.
TEMPLATE_TYPES = {
    "quoteLinesTemplate": "QuoteLines",
    "confirmationLinesTemplate": "ConfirmationLines",
}


def check_sale_type_settings(
    resource: Resource, ctx: LiveContext, label: str
) -> list[tuple[str | None, str]]:
    """(spec key or None for the sale type itself, message) of each problem."""
    if resource.name not in ctx.sale_types:
        return [
            (
                None,
                f"{label}: the CRM has no sale type named {resource.name!r} (quotesync manages "
                f"the quote settings of existing sale types, it does not create them)"
                f"{did_you_mean(resource.name, ctx.sale_types, listing='the CRM has')}",
            )
        ]
    problems: list[tuple[str | None, str]] = []
    for key, doc_type in TEMPLATE_TYPES.items():
        template = resource.spec.get(key)
        if not isinstance(template, str):
            continue
        known = ctx.quote_templates.get(doc_type, {})
        if template not in known:
            hint = did_you_mean(template, known, listing="the CRM has")
            problems.append(
                (
                    key,
                    f"{label}: spec.{key} names {template!r}, which is not a {doc_type} "
                    f"document template in the CRM{hint}",
                )
            )
    return problems
