"""`plan --format markdown`: hostile names cannot break out of their code spans, cells or fences, and
the document stays under GitHub's comment limit, cutting details (never the table) and saying so.

Documents are checked by parsing them (markdown-it, CommonMark with GFM tables), not by matching text.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import boto3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from corsdeploy.model import Kind
from corsdeploy.plan import Action, Change, Plan
from corsdeploy.render.edge import printable
from corsdeploy.render.markdown import GITHUB_COMMENT_LIMIT, LIMIT, plan_markdown
from tests.cli_support import S3_ENVIRONMENT
from tests.conftest import ACCESS_KEY, SECRET_KEY, Cli, MotoServer
from tests.plan_scenarios import ADMIN, APP, CDN, TWO_ORIGINS, cors_change, plan_of, s3_change
from tests.snapshots import assert_snapshot

HOSTILE = "x`y``z|<script>alert(1)</script>\n@org/team #1 **b** </details> ```\x1b[2J\u202e"
PARSER = MarkdownIt("commonmark").enable("table")
OUR_HTML = re.compile(r"<details><summary><code>[^<>]*</code>: [^<>]*</summary>\n|</details>\n")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e]")


def tokens(document: str) -> Iterator[Token]:
    for token in PARSER.parse(document):
        yield token
        yield from token.children or ()


def table_rows(parsed: list[Token]) -> list[list[str]]:
    """The cells of the document's table, as written."""
    rows: list[list[str]] = []
    for before, token in itertools.pairwise(parsed):
        if before.type == "tr_open":
            rows.append([])
        elif before.type in ("th_open", "td_open"):
            rows[-1].append(token.content)
    return rows


def hostile_plan() -> Plan:
    rules = [{**APP, "AllowedOrigins": [f"https://{HOSTILE}"], "ID": HOSTILE}]
    preflight = {f"/{HOSTILE}": {"preflight": {HOSTILE: f"'{HOSTILE}'"}, "methods": {}}}
    return plan_of(s3_change(HOSTILE, None, rules),
                   Change(f"rest_api.{HOSTILE}", Action.UPDATE, {"resources": {}, "gateway_responses": {}},
                          {"resources": preflight, "gateway_responses": {}},
                          warnings=(f"GET /{HOSTILE}: the backend must send it",)),
                   environment=f"dev{HOSTILE}")


def test_hostile_names_stay_inside_code_spans_cells_and_fences() -> None:
    document = plan_markdown(hostile_plan())
    assert not CONTROL.search(document)
    parsed = list(tokens(document))
    html = [t.content for t in parsed if t.type in ("html_block", "html_inline")]
    assert html and all(OUR_HTML.fullmatch(block) for block in html), html
    cells = [t for t in parsed if t.type in ("th_open", "td_open")]
    assert len(cells) == 3 * 3  # the heading row and one row per resource, three cells each
    codes = [t.content for t in parsed if t.type == "code_inline"]
    assert printable(f"s3_bucket.{HOSTILE}") in codes and printable(f"rest_api.{HOSTILE}") in codes
    fences = [t for t in parsed if t.type == "fence"]
    assert [f.info for f in fences] == ["diff", "diff", "text"]
    assert all(line[:1] in "+-!# " for fence in fences[:2] for line in fence.content.splitlines())
    text = "".join(t.content for t in parsed if t.type == "text")
    assert "@org" not in text and "<script" not in PARSER.render(document)


def test_the_environment_name_in_the_heading_and_the_pointer_is_a_code_span() -> None:
    document = plan_markdown(hostile_plan(), limit=1500)
    codes = [t.content for t in tokens(document) if t.type == "code_inline"]
    assert printable(f"dev{HOSTILE}") in codes
    assert printable(f"corsdeploy plan --env dev{HOSTILE}") in codes


def big_plan(buckets: int) -> Plan:
    rules = [{**rule, "AllowedOrigins": [f"https://{n}.example.com" for n in range(8)]}
             for rule in (APP, ADMIN, CDN)] * 3
    changes = [s3_change(f"assets-{n:04d}", None, rules) for n in range(buckets)]
    changes.append(cors_change(Kind.FUNCTION_URL, "thumbnailer", TWO_ORIGINS, TWO_ORIGINS))
    return plan_of(*changes, environment="big")


def test_a_plan_over_githubs_limit_is_cut_with_a_note_and_keeps_its_table() -> None:
    plan = big_plan(120)
    document = plan_markdown(plan)
    assert len(document) <= LIMIT < GITHUB_COMMENT_LIMIT
    parsed = list(tokens(document))
    rows = [t for t in parsed if t.type == "tr_open"]
    assert len(rows) == 1 + len(plan.changes)
    codes = {t.content for t in parsed if t.type == "code_inline"}
    assert "corsdeploy plan --env big" in codes
    assert document.count("<details>") == document.count("</details>") < 120
    (note,) = [t.content for t in parsed if t.type == "inline" and "cut short" in t.content]
    assert "of 120 changed resources" in note
    fences = [t for t in parsed if t.type == "fence"]
    assert len(fences) == document.count("<details>")
    assert fences[-1].content.splitlines()[-1].endswith("more lines: see the full plan")
    assert_snapshot("plans/over_the_limit.md", document)


def test_a_table_and_warnings_too_long_for_the_limit_are_cut_too() -> None:
    changes = [Change(f"rest_api.api-{n:03d}", Action.UPDATE, {"resources": {}}, {"resources": {}},
                      warnings=(f"warning {n} " + "w" * 150,)) for n in range(200)]
    document = plan_markdown(Plan("dev", tuple(changes)), limit=6000)
    assert len(document) <= 6000
    parsed = list(tokens(document))
    assert any(t.type == "inline" and t.content.startswith("... and ") for t in parsed)
    (warnings,) = [t for t in parsed if t.type == "fence" and t.info == "text"]
    assert warnings.content.splitlines()[-1].startswith("... and ")


def test_a_plan_without_changes_has_its_table_and_no_details() -> None:
    document = plan_markdown(plan_of(s3_change("assets", [APP], [APP])))
    assert "No changes." in document and "<details>" not in document
    assert len([t for t in tokens(document) if t.type == "tr_open"]) == 2


def test_plan_format_markdown_against_the_emulator(cli: Cli, moto_server: MotoServer) -> None:
    boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1").create_bucket(
        Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cli.write_env("dev", S3_ENVIRONMENT.format(url=moto_server.url))
    result = cli("plan", "--env", "dev", "--format", "markdown", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    account = boto3.client("sts", endpoint_url=moto_server.url, region_name="eu-west-1").get_caller_identity()
    parsed = list(tokens(result.stdout))
    header = [t.content for t in parsed if t.type == "code_inline"][:3]
    assert header == ["dev", account["Account"], "eu-west-1"]
    # One warning: a bucket's co-management (its tags) is checked at apply, not by plan.
    assert table_rows(parsed) == [["Resource", "Action", "Warnings"], ["`s3_bucket.uploads`", "create", "1"]]
    assert "not checked" in result.stdout
    (fence,) = [t for t in parsed if t.type == "fence" and t.info == "diff"]
    assert '+     AllowedOrigins: ["https://app.example.com"]' in fence.content


def test_a_credential_in_a_value_is_redacted_in_markdown_too() -> None:
    leaked = {**APP, "AllowedOrigins": [f"https://{SECRET_KEY}.example.com"], "ID": ACCESS_KEY}
    document = plan_markdown(plan_of(s3_change(f"assets-{SECRET_KEY}", None, [leaked])))
    assert SECRET_KEY not in document and ACCESS_KEY not in document and "***" in document
