"""The environment file `import` prints: whatever a live name or value holds, the text is printable
ASCII, valid YAML, and corsdeploy reads it back to exactly the imported values."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corsdeploy.config import load_file
from corsdeploy.imported import Imported, ImportedEntry
from corsdeploy.model import Environment, Kind
from corsdeploy.render.yaml_view import render_import

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A lone surrogate is refused before rendering (no file can hold one): see test_import_address.py.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
HOSTILE = ["yes", "no", "~", "null", "<<", "&anchor", "*alias", "!!int", "- x", "? x", "a: b", "#c", " lead",
           "trail ", "'q'", '"q"', "${var}", "$${x}", "${", "line\nbreak", "\x1b[2J", "\u202egnp", "\x85",
           "123", "0x1F", "1e3", ".inf", "2025-01-01", "1:20", "0o17", "+1", ".5", "=", "", "é", "\U0001F600",
           "@", "%", "`", "|", ">", "x" * 300]
VALUES = TEXT | st.sampled_from(HOSTILE)
NAMES = VALUES.filter(bool)  # a resource's name is never empty
# Everything but printable ASCII and the newline between lines.
NOT_PLAIN = re.compile(r"[^\x20-\x7e\n]")


def imported(*entries: ImportedEntry, aws: dict[str, str] | None = None) -> Imported:
    return Imported("123456789012", "eu-west-1", entries, aws=aws or {}, source="environments/dev.yaml")


def load(text: str) -> Environment:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "environments" / "imported.yaml"
        path.parent.mkdir()
        path.write_text(text)
        return load_file(path)


@FAST
@given(name=NAMES, origin=VALUES, header=VALUES)
def test_any_name_and_value_reads_back_exactly(name: str, origin: str, header: str) -> None:
    cors = {"AllowOrigins": [origin], "AllowHeaders": [header, "Content-Type"], "MaxAge": 300}
    text = render_import(imported(ImportedEntry(Kind.HTTP_API, name, {"cors": cors})))
    assert not NOT_PLAIN.search(text), repr(NOT_PLAIN.search(text))
    (resource,) = load(text).resources
    assert resource.name == name
    (rule,) = resource.cors.rules if resource.cors else ()
    assert rule.allowed_origins == (origin,)
    assert rule.allowed_headers == (header, "Content-Type")


def test_every_kind_and_the_aws_block_read_back() -> None:
    entries = (
        ImportedEntry(Kind.S3_BUCKET, "assets", {"cors": [
            {"ID": "upload", "AllowedMethods": ["PUT"], "AllowedOrigins": ["https://${app}"],
             "MaxAgeSeconds": 0},
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}),
        ImportedEntry(Kind.S3_BUCKET, "legacy", {"cors": "absent"}),
        ImportedEntry(Kind.REST_API, "legacy", {
            "stage": "prod", "resources": ["/items/{id}"], "cors": {"AllowOrigins": ["https://a.example.com"]},
            "gateway_responses": []}, notes=("a note\nwith a line break",)),
        ImportedEntry(Kind.FUNCTION_URL, "thumbnailer:live", {"cors": {"AllowOrigins": ["*"]}}),
    )
    aws = {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:4566"}
    text = render_import(imported(*entries, aws=aws))
    environment = load(text)
    assert environment.aws.endpoint_url == aws["endpoint_url"]
    assert [r.address for r in environment.resources] == [
        "s3_bucket.assets", "s3_bucket.legacy", "rest_api.legacy", "function_url.thumbnailer:live"]
    assets, legacy, rest, _ = environment.resources
    assert assets.cors and assets.cors.rules[0].allowed_origins == ("https://${app}",)
    assert assets.cors.rules[0].id == "upload" and assets.cors.rules[0].max_age == 0
    assert legacy.cors is None
    assert rest.settings["resources"] == ["/items/{id}"] and rest.settings["gateway_responses"] == []
    # A note is one comment line, whatever it holds.
    assert "  # a note\\x0awith a line break\n" in text
    assert yaml.safe_load(text)["rest_apis"]["legacy"]["stage"] == "prod"


def test_lists_of_short_values_are_written_on_one_line_like_the_contract() -> None:
    text = render_import(imported(ImportedEntry(Kind.HTTP_API, "orders", {"cors": {
        "AllowMethods": ["GET", "POST"], "AllowOrigins": [f"https://{n}.example.com" for n in range(5)]}})))
    assert "      AllowMethods: [GET, POST]\n" in text
    assert "      AllowOrigins:\n        - https://0.example.com\n" in text
