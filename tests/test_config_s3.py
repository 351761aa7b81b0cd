"""S3 bucket entries: the three `cors` forms and `absent`, policies, spelling hints, S3's own limits."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsdeploy import limits
from corsdeploy.config import load_file
from corsdeploy.config.services import s3_document_bytes
from corsdeploy.model import CorsRule
from tests.test_config_support import at, problem, problems, where, write

RULE = """
    s3_buckets:
      assets-prod:
        cors:
          - AllowedOrigins: {origins}
            AllowedMethods: {methods}
            {extra}
"""


def bucket(tmp_path: Path, origins: str = '["https://app.example.com"]', methods: str = "[GET]",
           extra: str = "") -> Path:
    return write(tmp_path, "prod.yaml", RULE.format(origins=origins, methods=methods, extra=extra))


def test_contract_message_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = bucket(tmp_path, methods="[GET, PUT, PATCH]")
    found = problem(Path("prod.yaml"), "PATCH")
    line, column = at(path, "PATCH")
    assert str(found) == (f"prod.yaml:{line}:{column}: s3_bucket.assets-prod: AllowedMethods[2]: "
                          "'PATCH' is not one of GET, PUT, POST, DELETE, HEAD")


def test_rule_list_keeps_spelling_order_and_locations(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          assets:
            cors:
              - ID: uploads
                AllowedOrigins: ["https://b.example.com", "https://a.example.com"]
                AllowedMethods: [PUT, GET]
                AllowedHeaders: [Content-Type]
                ExposeHeaders: [ETag]
                MaxAgeSeconds: 0
              - AllowedOrigins: ["*"]
                AllowedMethods: [HEAD]
            lint_ignore: {CD101: "public assets"}
    """)
    (assets,) = load_file(path).resources
    assert assets.cors is not None
    assert assets.cors.rules == (
        CorsRule(("https://b.example.com", "https://a.example.com"), ("PUT", "GET"), ("Content-Type",),
                 ("ETag",), 0, None, "uploads"),
        CorsRule(("*",), ("HEAD",)),
    )
    assert assets.settings == {} and assets.lint_ignore == {"CD101": "public assets"}
    head = assets.location_of("cors", 1, "AllowedMethods", 0)
    assert (head.line, head.column) == at(path, "HEAD")


def test_get_bucket_cors_output_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.json", """
        {"s3_buckets": {"assets": {"cors": {"CORSRules": [
          {"AllowedHeaders": ["*"], "AllowedMethods": ["GET"], "AllowedOrigins": ["*"],
           "ExposeHeaders": [], "MaxAgeSeconds": 3000}]}}}}
    """)
    (assets,) = load_file(path).resources
    assert assets.cors is not None and assets.cors.rules[0].max_age == 3000
    # Field paths read as if the rules were a plain list.
    where_get = assets.location_of("cors", 0, "AllowedMethods", 0)
    assert (where_get.line, where_get.column) == at(path, '"GET"')


def test_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  legacy:\n    cors: absent\n")
    (legacy,) = load_file(path).resources
    assert legacy.cors is None
    assert (legacy.location_of("cors").line, legacy.location_of("cors").column) == at(path, "absent")


def test_policy_reference_points_into_the_definition(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          web-upload:
            - AllowedOrigins: ["https://app.example.com"]
              AllowedMethods: [GET, PUT]
          via-document:
            CORSRules:
              - AllowedOrigins: ["*"]
                AllowedMethods: [HEAD]
        s3_buckets:
          assets: {cors: web-upload}
          other: {cors: via-document}
    """)
    assets, other = load_file(path).resources
    assert assets.cors is not None and assets.cors.rules[0].allowed_methods == ("GET", "PUT")
    put = assets.location_of("cors", 0, "AllowedMethods", 1)
    assert (put.line, put.column) == at(path, "PUT")
    reference = assets.location_of("cors")
    assert (reference.line, reference.column) == at(path, "web-upload", 2)
    head = other.location_of("cors", 0, "AllowedMethods", 0)
    assert other.cors is not None and (head.line, head.column) == at(path, "HEAD")


def test_unknown_policy_has_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          web-upload:
            - {AllowedOrigins: ["*"], AllowedMethods: [GET]}
        s3_buckets:
          assets: {cors: web-uplaod}
    """)
    found = problem(path, "unknown policy")
    assert found.message == "cors: unknown policy 'web-uplaod'; did you mean 'web-upload'?"
    assert found.address == "s3_bucket.assets" and where(found) == at(path, "web-uplaod")


def test_unknown_policy_without_policies(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets: {cors: public}\n")
    assert "no policies are defined" in problem(path, "unknown policy").message


def test_policy_problems_are_reported_once_at_the_definition(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          web:
            - {AllowedOrigins: ["*"], AllowedMethods: [PATCH]}
        s3_buckets:
          assets: {cors: web}
          uploads: {cors: web}
    """)
    (found,) = problems(path)
    assert found.message == ("policies.web: AllowedMethods[0]: "
                             "'PATCH' is not one of GET, PUT, POST, DELETE, HEAD")
    assert where(found) == at(path, "PATCH")


def test_absent_cannot_name_a_policy(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          absent:
            - {AllowedOrigins: ['*'], AllowedMethods: [GET]}
    """)
    found = problem(path, "reserved")
    assert where(found) == at(path, "absent")


def test_empty_rule_list_says_to_use_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors: []\n")
    found = problem(path, "empty rule list")
    assert "absent" in found.message and where(found) == at(path, "[]")


def test_empty_corsrules_document_says_to_use_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors: {CORSRules: []}\n")
    found = problem(path, "empty rule list")
    assert found.message.startswith("cors: an empty rule list") and where(found) == at(path, "[]")


def test_at_most_100_rules(tmp_path: Path) -> None:
    rules = "".join(f"\n      - {{AllowedOrigins: ['https://{i}.example.com'], AllowedMethods: [GET]}}"
                    for i in range(limits.S3_MAX_RULES + 1))
    path = write(tmp_path, "prod.yaml", f"s3_buckets:\n  assets:\n    cors:{rules}\n")
    found = problem(path, "at most 100")
    assert found.message == "cors: lists 101 items; at most 100 are allowed"
    assert where(found) == at(path, "- {")
    path.write_text(path.read_text().rsplit("\n", 2)[0] + "\n")
    assert len(load_file(path).resources[0].cors.rules) == limits.S3_MAX_RULES  # type: ignore[union-attr]


def test_document_size_is_that_of_the_xml_s3_receives() -> None:
    rule = {"ID": "a&b", "AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 5}
    xml = ('<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>a&amp;b</ID>'
           "<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>"
           "<MaxAgeSeconds>5</MaxAgeSeconds></CORSRule></CORSConfiguration>")
    assert s3_document_bytes([rule]) == len(xml)


def test_document_at_most_64_kb(tmp_path: Path) -> None:
    def origins(count: int) -> list[str]:
        return [f"https://{i:05d}.example.com" for i in range(count)]

    fits = next(n for n in range(1, 10_000) if s3_document_bytes(
        [{"AllowedOrigins": origins(n + 1), "AllowedMethods": ["GET"]}]) > limits.S3_MAX_DOCUMENT_BYTES)
    path = bucket(tmp_path, origins=json.dumps(origins(fits + 1)))
    found = problem(path, "bytes")
    assert "at most 65536 (64 KB)" in found.message and found.address == "s3_bucket.assets-prod"
    assert where(found) == at(path, "- AllowedOrigins")
    bucket(tmp_path, origins=json.dumps(origins(fits)))
    load_file(path)


@pytest.mark.parametrize(("methods", "needle", "fragment"), [
    ("[GET, OPTIONS]", "OPTIONS", "'OPTIONS' is not one of GET, PUT, POST, DELETE, HEAD"),
    ("[get]", "get", "(write 'GET': the case must match exactly)"),
    ("[GET, 3]", "3]", "AllowedMethods[1]: 3 is not one of"),
])
def test_methods_are_s3s_five_in_exact_case(tmp_path: Path, methods: str, needle: str, fragment: str) -> None:
    path = bucket(tmp_path, methods=methods)
    assert where(problem(path, fragment)) == at(path, needle)


@pytest.mark.parametrize(("origins", "methods", "fragment"), [
    ("[]", "[GET]", "AllowedOrigins: must list at least 1 item"),
    ('["*"]', "[]", "AllowedMethods: must list at least 1 item"),
])
def test_at_least_one_origin_and_one_method(
    tmp_path: Path, origins: str, methods: str, fragment: str
) -> None:
    path = bucket(tmp_path, origins=origins, methods=methods)
    assert where(problem(path, fragment)) == at(path, "[]")


def test_origins_and_methods_are_required(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors:\n      - ExposeHeaders: [ETag]\n")
    found = problems(path)
    assert sorted(p.message for p in found) == [
        "cors: 'AllowedMethods' is required", "cors: 'AllowedOrigins' is required"]
    assert {where(p) for p in found} == {at(path, "ExposeHeaders")}


def test_one_wildcard_per_origin_and_per_header(tmp_path: Path) -> None:
    path = bucket(tmp_path, origins='["https://*.example.com", "https://*.*.example.com"]',
                  extra='AllowedHeaders: ["x-amz-*", "*-*"]')
    origin = problem(path, "https://*.*.example.com")
    assert origin.message.endswith("has 2 '*' wildcards; S3 allows 1 per origin")
    assert where(origin) == at(path, '"https://*.*')
    header = problem(path, "'*-*'")
    assert header.message == "AllowedHeaders[1]: '*-*' has 2 '*' wildcards; S3 allows 1 per header"
    assert where(header) == at(path, '"*-*"')


def test_id_at_most_255_characters(tmp_path: Path) -> None:
    path = bucket(tmp_path, extra=f"ID: {'r' * 256}")
    found = problem(path, "ID:")
    assert "is 256 characters long; at most 255" in found.message and where(found) == at(path, "rrr")
    path.write_text(path.read_text().replace("r" * 256, "r" * 255))
    load_file(path)


@pytest.mark.parametrize(("value", "fragment"), [
    ("-1", "-1 is out of range: must be between 0 and 2147483647"),
    ("true", "expected an integer, got True"),
    ("1.5", "expected an integer, got 1.5"),
    ('"300"', "expected an integer, got '300'"),
])
def test_max_age_seconds_is_a_non_negative_integer(tmp_path: Path, value: str, fragment: str) -> None:
    path = bucket(tmp_path, extra=f"MaxAgeSeconds: {value}")
    found = problem(path, fragment)
    assert found.message.startswith("MaxAgeSeconds: ") and where(found) == at(path, value)


@pytest.mark.parametrize(("key", "hint"), [
    ("ExposedHeaders", "unknown key 'ExposedHeaders' (CloudFormation's spelling); use 'ExposeHeaders'"),
    ("MaxAge", "unknown key 'MaxAge' (CloudFormation's spelling); use 'MaxAgeSeconds'"),
    ("Id", "unknown key 'Id' (CloudFormation's spelling); use 'ID'"),
    ("AllowedHeader", "unknown key 'AllowedHeader'; did you mean 'AllowedHeaders'?"),
    ("ExposeHeader", "unknown key 'ExposeHeader'; did you mean 'ExposeHeaders'?"),
    ("AllowHeaders", "use 'AllowedHeaders'"),
    ("allowed_headers", "did you mean 'AllowedHeaders'?"),
    ("AllowedHeadres", "did you mean 'AllowedHeaders'?"),
])
def test_other_spellings_get_a_hint(tmp_path: Path, key: str, hint: str) -> None:
    path = bucket(tmp_path, extra=f"{key}: [x]")
    found = problem(path, "unknown key")
    assert hint in found.message and where(found) == at(path, key)


def test_singular_allowed_origin_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          assets:
            cors:
              - {AllowedOrigin: [x], AllowedMethods: [GET]}
    """)
    found = problem(path, "unknown key")
    assert "did you mean 'AllowedOrigins'?" in found.message and where(found) == at(path, "AllowedOrigin")


def test_one_rule_written_as_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          assets:
            cors:
              AllowedOrigins: ["*"]
              AllowedMethods: [GET]
    """)
    (found,) = problems(path)
    assert "put '- ' before" in found.message and where(found) == at(path, "AllowedOrigins")


def test_cloudformation_document_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors: {CorsRules: []}\n")
    found = problem(path, "unknown key")
    assert "use 'CORSRules'" in found.message and where(found) == at(path, "CorsRules")


@pytest.mark.parametrize(("origins", "needle", "fragment"), [
    ('"https://app.example.com"', '"https', "expected a list, got 'https://app.example.com'"),
    ('["https://a.example.com", 7]', "7", "AllowedOrigins[1]: expected a string, got 7 (quote the value)"),
    ('["https://a.example.com", null]', "null", "AllowedOrigins[1]: expected a string, got nothing"),
])
def test_lists_must_hold_strings(tmp_path: Path, origins: str, needle: str, fragment: str) -> None:
    path = bucket(tmp_path, origins=origins)
    assert where(problem(path, fragment)) == at(path, needle)


def test_cors_is_required_and_typed(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          aaa: {lint_ignore: {}}
          bbb:
            cors: 5
          ccc:
            cors:
    """)
    missing = problem(path, "'cors' is required")
    assert missing.address == "s3_bucket.aaa" and where(missing) == at(path, "aaa:")
    assert where(problem(path, "got 5")) == at(path, "5")
    nothing = problem(path, "s3_bucket.ccc")
    assert nothing.message == "cors: expected a string or a list or a mapping, got nothing"


def test_empty_mapping_says_to_write_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors: {}\n")
    (found,) = problems(path)
    assert found.message == ("cors: an empty mapping is not CORS: give the rules (a list, or "
                             "{CORSRules: [...]}), or write `cors: absent` for no CORS")
    assert found.address == "s3_bucket.assets" and where(found) == at(path, "{}")


EXPOSE_REFUSED = ("S3 refuses any '*' in ExposeHeaders (\"We currently do not support wildcard for "
                  "ExposeHeader\"); list each header by name")


@pytest.mark.parametrize("header", ["*", "x-amz-meta-*"])
def test_expose_headers_wildcard_is_refused(tmp_path: Path, header: str) -> None:
    """S3 refuses a '*' anywhere in an ExposeHeader (facts §7.6)."""
    path = bucket(tmp_path, extra=f'ExposeHeaders: [ETag, "{header}"]')
    (found,) = problems(path)
    line, column = at(path, f'"{header}"')
    assert str(found) == (f"{path}:{line}:{column}: s3_bucket.assets-prod: ExposeHeaders[1]: "
                          f"{header!r}: {EXPOSE_REFUSED}")


def test_expose_headers_wildcard_in_a_policy_and_a_document(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          web:
            - {AllowedOrigins: ["*"], AllowedMethods: [GET], ExposeHeaders: ["*"]}
        s3_buckets:
          assets:
            cors: web
          uploads:
            cors: {CORSRules: [{AllowedOrigins: ["*"], AllowedMethods: [GET], ExposeHeaders: [ETag, "x-*"]}]}
    """)
    policy, document = problems(path)
    assert policy.message == f"policies.web: ExposeHeaders[0]: '*': {EXPOSE_REFUSED}"
    assert policy.address is None and where(policy) == at(path, '"*"]}', 1)
    assert document.message == f"ExposeHeaders[1]: 'x-*': {EXPOSE_REFUSED}"
    assert document.address == "s3_bucket.uploads" and where(document) == at(path, '"x-*"')


def test_max_age_seconds_fits_a_32_bit_integer(tmp_path: Path) -> None:
    path = bucket(tmp_path, extra="MaxAgeSeconds: 2147483648")
    (found,) = problems(path)
    assert found.message == "MaxAgeSeconds: 2147483648 is out of range: must be between 0 and 2147483647"
    assert where(found) == at(path, "2147483648")
    path.write_text(path.read_text().replace("2147483648", "2147483647"))
    load_file(path)


XML = ('<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin>'
       "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")
XML_MESSAGE = ("this is S3's XML form of CORS; give the rules as YAML or JSON instead, "
               "e.g. - {AllowedOrigins: [...], AllowedMethods: [...]}")


@pytest.mark.parametrize("text", [
    XML,
    '<?xml version="1.0" encoding="UTF-8"?>\n' + XML,
    "  <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>",
])
def test_pasted_xml_is_recognised(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "prod.yaml", f"s3_buckets:\n  assets:\n    cors: {json.dumps(text)}\n")
    (found,) = problems(path)
    line, column = at(path, '"')
    assert str(found) == f"{path}:{line}:{column}: s3_bucket.assets: cors: {XML_MESSAGE}"


def test_pasted_xml_in_a_policy(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", f"policies:\n  web: {json.dumps(XML)}\n")
    (found,) = problems(path)
    assert found.message == f"policies.web: {XML_MESSAGE}" and where(found) == at(path, '"')


def test_unknown_policy_names_are_cut_short(tmp_path: Path) -> None:
    long = "p" * 500
    path = write(tmp_path, "prod.yaml", f"s3_buckets:\n  assets:\n    cors: {long}\n")
    (found,) = problems(path)
    assert found.message == (f"cors: unknown policy '{'p' * 37}...': "
                             "no policies are defined (or write `absent` for no CORS)")
