"""Rules beyond the fixture table: scopes, price-list links, CSV dialects, limits on noise."""

from __future__ import annotations

from pathlib import Path

from quotesync_gitops.manifest import load_manifests
from tests.manifest.helpers import HEADER, diagnostics, quotesync, write

PRICES = (
    HEADER + "kind: PriceList\nmetadata:\n  name: P\nspec:\n  currency: EUR\n"
    '  validFrom: "2026-01-01"\n  validTo: "2026-12-31"\n'
)


def test_scope_conflicts_and_repeats(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: E\nspec:\n"
            "  connector: C\n  scope:\n    allUsers: true\n    users: [ANNA, BOB, ANNA]\n"
        },
    )

    result = quotesync("validate", "erp.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "erp.yaml:8:15: error: scope.allUsers is true, which gives every user access, but users "
        "or groups are also listed; remove them, or set allUsers to false to limit access to "
        "them",
        "erp.yaml:9:24: error: 'ANNA' is listed twice in scope.users (first at line 9)",
    ]


def test_scope_forms_are_canonical(workdir: Path) -> None:
    body = "kind: QuoteConnection\nmetadata:\n  name: {name}\nspec:\n  connector: C\n{scope}"
    write(
        workdir,
        {
            "a.yaml": HEADER + body.format(name="A", scope="  scope: {allUsers: true}\n"),
            "b.yaml": HEADER + body.format(name="B", scope="  scope: {groups: [S, F]}\n"),
            "c.yaml": HEADER + body.format(name="C", scope=""),
        },
    )

    result = load_manifests(["."], env={})

    assert result.ok, result.diagnostics
    scopes = {r.name: r.spec["scope"] for r in result.desired}
    assert scopes == {
        "A": {"allUsers": True, "users": [], "groups": []},
        "B": {"allUsers": False, "users": [], "groups": ["F", "S"]},
        "C": {"allUsers": True, "users": [], "groups": []},
    }


def test_the_quote_hint_keeps_the_value_as_written(workdir: Path) -> None:
    """`code: 0042` is the number 42 in YAML; the hint must say "0042", not "42"."""
    write(
        workdir,
        {
            "p.yaml": PRICES + "  erpKey: 0042\n  description: 1.50\n  products:\n"
            "    - {code: 007, name: Bond}\n    - code: 12\n      name: Twelve\n",
        },
    )

    result = quotesync("validate", "p.yaml")

    assert result.exit_code == 1
    assert diagnostics(result) == [
        "p.yaml:9:11: error: spec.erpKey must be text, but it is a number; put it in quotes "
        'to make it text: "0042"',
        "p.yaml:10:16: error: spec.description must be text, but it is a number; put it in "
        'quotes to make it text: "1.50"',
        "p.yaml:12:14: error: spec.products[0].code must be text, but it is a number; put it "
        'in quotes to make it text: "007"',
        "p.yaml:13:13: error: spec.products[1].code must be text, but it is a number; put it "
        'in quotes to make it text: "12"',
    ]


def test_a_number_in_config_is_never_echoed_it_may_be_a_password(workdir: Path) -> None:
    write(
        workdir,
        {
            "e.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: E\nspec:\n"
            "  connector: C\n  config:\n    password: 98765432\n",
        },
    )

    result = quotesync("validate", "e.yaml")

    assert result.exit_code == 1
    assert "98765432" not in result.output
    assert diagnostics(result) == [
        "e.yaml:8:15: error: spec.config.password must be text, but it is a number; put it in "
        "quotes to make it text",
    ]


def test_price_list_quote_connection_must_be_declared(workdir: Path) -> None:
    write(workdir, {"p.yaml": PRICES + "  quoteConnection: Quotes\n"})

    result = quotesync("validate", "p.yaml")

    assert diagnostics(result) == [
        "p.yaml:9:20: error: spec.quoteConnection names QuoteConnection 'Quotes', which is not "
        "declared in the manifests (none is declared)"
    ]


def test_an_unreadable_file_does_not_make_references_look_dangling(workdir: Path) -> None:
    write(
        workdir,
        {
            "a.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: ERP\nspec:\n"
            "  connector: [broken\n",
            "b.yaml": HEADER + "kind: QuoteConnection\nmetadata:\n  name: Q\nspec:\n"
            "  connector: C\n  erpConnection: ERP\n",
        },
    )

    result = quotesync("validate", ".")

    assert result.exit_code == 1
    assert [line.split(": error:")[0] for line in diagnostics(result)] == ["a.yaml:7:1"]


def test_semicolon_csv_and_bom(workdir: Path) -> None:
    write(workdir, {"p.yaml": PRICES + "  productsFile: p.csv\n"})
    (workdir / "p.csv").write_bytes(
        '\ufeffcode;name;listPrice;inAssortment\nA;"x; y";1.5;no\n\nB;Bee;;\n'.encode()
    )

    result = load_manifests(["."], env={})

    assert result.ok, result.diagnostics
    products = result.desired.get("PriceList", "P").spec["products"]  # type: ignore[union-attr]
    assert products["A"]["name"] == "x; y" and products["A"]["listPrice"] == 1.5
    assert products["A"]["inAssortment"] is False
    assert products["B"]["listPrice"] == 0.0 and products["B"]["inAssortment"] is True


def test_nordic_csv_with_semicolons_and_decimal_commas(workdir: Path) -> None:
    """A spreadsheet export in a Nordic locale: `;` between cells, `1034,27` for numbers."""
    write(workdir, {"p.yaml": PRICES + "  productsFile: p.csv\n"})
    (workdir / "p.csv").write_text(
        "code;name;listPrice;cost;vat\nA;Alpha;1034,27;-12,5;25\nB;Beta;99.5;0,000001;12,5\n",
        encoding="utf-8",
    )

    result = load_manifests(["."], env={})

    assert result.ok, result.diagnostics
    products = result.desired.get("PriceList", "P").spec["products"]  # type: ignore[union-attr]
    assert products["A"]["listPrice"] == 1034.27 and products["A"]["cost"] == -12.5
    assert products["B"]["listPrice"] == 99.5 and products["B"]["cost"] == 0.000001
    assert products["B"]["vat"] == 12.5


def test_numbers_with_thousands_separators_are_refused_with_the_way_to_write_them(
    workdir: Path,
) -> None:
    write(workdir, {"p.yaml": PRICES + "  productsFile: p.csv\n", "c.yaml": PRICES.replace(
        "name: P", "name: C") + "  productsFile: c.csv\n"})  # fmt: skip
    (workdir / "p.csv").write_text("code;listPrice\nA;1.034,27\nB;1,034,5\n", encoding="utf-8")
    (workdir / "c.csv").write_text('code,listPrice\nA,"1034,27"\n', encoding="utf-8")

    result = quotesync("validate", ".")

    assert result.exit_code == 1
    semicolons = "write numbers like 1234.50 or 1234,50 (no spaces or thousands separators)"
    assert diagnostics(result) == [
        "c.csv:2:3: error: listPrice: '1034,27' is not a number; write numbers like 1234.50 "
        "(no spaces or commas; a decimal comma only in a ;-separated file)",
        f"p.csv:2:3: error: listPrice: '1.034,27' is not a number; {semicolons}",
        f"p.csv:3:3: error: listPrice: '1,034,5' is not a number; {semicolons}",
    ]


def test_csv_problems_with_quoted_multiline_cells(workdir: Path) -> None:
    write(workdir, {"p.yaml": PRICES + "  productsFile: p.csv\n"})
    (workdir / "p.csv").write_text(
        'code,description,vat\nA,"two\nlines",250\nB,short\n,empty code,1\n'
    )

    result = quotesync("validate", ".")

    assert diagnostics(result) == [
        "p.csv:3:8: error: vat: the value must be at most 100, not 250",
        "p.csv:4:1: error: this row has 2 cells but the header has 3 columns",
        "p.csv:5:1: error: code is empty; every product needs a code",
    ]


def test_csv_encoding_and_location_problems(workdir: Path) -> None:
    write(
        workdir,
        {
            "repo/p.yaml": PRICES + "  productsFile: p.csv\n",
            "repo/q.yaml": PRICES.replace("name: P", "name: Q")
            + "  productsFile: ../outside.csv\n",
            "outside.csv": "code\nA\n",
        },
    )
    (workdir / "repo" / "p.csv").write_bytes(b"code,name\nA,Caf\xe9\n")

    result = quotesync("validate", "repo")

    assert diagnostics(result) == [
        "repo/p.csv:2:6: error: the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in "
        "spreadsheets)",
        "repo/q.yaml:9:17: error: productsFile '../outside.csv' points outside the repository "
        f"({workdir / 'repo'}); keep it inside, or pass --allow-files-outside",
    ]


def test_many_bad_products_are_summarised(workdir: Path) -> None:
    rows = "".join(f"    - {{code: P{i}, vat: high}}\n" for i in range(150))
    write(workdir, {"p.yaml": PRICES + "  products:\n" + rows})

    result = quotesync("validate", "p.yaml")

    lines = diagnostics(result)
    assert len(lines) == 101
    assert lines[0] == (
        "p.yaml:9:3: error: 50 more problems in spec.products are not shown; fix the ones "
        "above first"
    )
    assert lines[1] == "p.yaml:10:23: error: spec.products[0].vat must be a number, but it is text"


def test_defaults_that_set_nothing_are_left_out(workdir: Path) -> None:
    write(
        workdir,
        {
            "erp.yaml": HEADER + "kind: ErpConnection\nmetadata:\n  name: E\nspec:\n"
            "  connector: C\n  actors:\n    Customer:\n      crmActor: Contact\n      defaults:\n"
            "        - {erpField: a, value: ''}\n        - {erpField: b, mandatory: true}\n"
        },
    )

    result = load_manifests(["."], env={})

    erp = result.desired.get("ErpConnection", "E")
    assert erp is not None
    assert erp.spec["actors"]["Customer"]["defaults"] == {
        "b": {"value": None, "askUser": False, "mandatory": True}
    }


def test_csv_without_a_code_column_is_reported_once(workdir: Path) -> None:
    write(workdir, {"p.yaml": PRICES + "  productsFile: p.csv\n", "p.csv": "name\nA\nB\n"})

    result = quotesync("validate", ".")

    assert diagnostics(result) == [
        "p.csv:1:1: error: the header has no 'code' column; every product needs one"
    ]


def test_numbers_are_floats_rounded_to_six_places(workdir: Path) -> None:
    write(
        workdir,
        {
            "p.yaml": PRICES + "  productsFile: p.csv\n  products:\n"
            "    - {code: Y, listPrice: 1.23456789, cost: 3}\n",
            "p.csv": "code,listPrice,cost,vat\nX,1.23456789,2,2.5e1\n",
        },
    )

    result = load_manifests(["."], env={})

    products = result.desired.get("PriceList", "P").spec["products"]  # type: ignore[union-attr]
    assert products["X"]["listPrice"] == 1.234568 and products["X"]["vat"] == 25.0
    assert products["Y"]["listPrice"] == 1.234568 and products["Y"]["cost"] == 3.0
    assert all(isinstance(products[c][f], float) for c in "XY" for f in ("listPrice", "cost"))


def test_guards_must_be_finite(workdir: Path) -> None:
    write(
        workdir,
        {
            "r.yaml": HEADER + "kind: RepositorySettings\nmetadata: {name: d}\nspec:\n"
            "  guards: {maxDeletePercent: .nan}\n"
        },
    )

    result = quotesync("validate", "r.yaml")

    assert diagnostics(result) == [
        "r.yaml:5:30: error: guards.maxDeletePercent must be a finite number"
    ]
