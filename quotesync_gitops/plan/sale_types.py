"""What only the CRM can tell about SaleTypeQuoteSettings: does the sale type exist, and do
the templates it names exist as templates of the right kind."""

from __future__ import annotations

from quotesync_gitops.model import LiveContext, Resource

#: Manifest key → the QuoteDocType its template must have.
TEMPLATE_TYPES = {
    "quoteLinesTemplate": "QuoteLines",
    "confirmationLinesTemplate": "ConfirmationLines",
}


def _hint(name: str, known: list[str]) -> str:
    import difflib  # a suggestion is rare: not imported at start-up

    near = difflib.get_close_matches(name, known, n=1)
    if near:
        return f"; did you mean {near[0]!r}?"
    return f"; the CRM has: {', '.join(sorted(known)) or 'none'}"


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
                f"{_hint(resource.name, list(ctx.sale_types))}",
            )
        ]
    problems: list[tuple[str | None, str]] = []
    for key, doc_type in TEMPLATE_TYPES.items():
        template = resource.spec.get(key)
        if not isinstance(template, str):
            continue
        known = ctx.quote_templates.get(doc_type, {})
        if template not in known:
            problems.append(
                (
                    key,
                    f"{label}: spec.{key} names {template!r}, which is not a {doc_type} "
                    f"document template in the CRM{_hint(template, list(known))}",
                )
            )
    return problems
