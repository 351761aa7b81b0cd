"""Property tests of lint on files validate refuses: whatever is broken, lint reports exactly the
problems validate does, never crashes, and every rule runs on the entries that still load."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corsdeploy.config import load_file, load_file_leniently
from corsdeploy.errors import ConfigError
from corsdeploy.lint.engine import lint_environment

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ORIGINS = st.lists(st.sampled_from(["https://app.example.com", "*", "https://*", "null", "http://localhost:3000",
                                    "https://*.github.io", "example.com", 3, None, ""]), max_size=3)
VALUES = st.none() | st.booleans() | st.integers(-5, 100_000) | st.text(max_size=6) | ORIGINS
S3_RULE = st.fixed_dictionaries({"AllowedOrigins": ORIGINS, "AllowedMethods": st.lists(
    st.sampled_from(["GET", "PUT", "PATCH", "get"]), max_size=3)}, optional={
    "AllowedHeaders": ORIGINS, "MaxAgeSeconds": VALUES, "ExposeHeaders": ORIGINS, "Typo": VALUES})
API_CORS = st.fixed_dictionaries({}, optional={
    "AllowOrigins": ORIGINS,
    "AllowMethods": st.lists(st.sampled_from(["GET", "*", "ANY", "PATCH"]), max_size=3),
    "AllowCredentials": VALUES, "MaxAge": VALUES, "AllowHeaders": ORIGINS})
IGNORED = st.dictionaries(st.sampled_from(["CD101", "CD302", "CD999", "x"]), st.sampled_from(["why", " ", 1]),
                          max_size=2)


def entries(cors: st.SearchStrategy[Any], **settings: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    entry = st.fixed_dictionaries({"cors": cors | st.sampled_from(["absent", "web", "nope", ""])},
                                  optional={"lint_ignore": IGNORED, "public": VALUES, **settings})
    return st.dictionaries(st.sampled_from(["a", "b", "c", "", "x" * 70]), entry | VALUES, max_size=3)


FILES = st.fixed_dictionaries({}, optional={
    "policies": st.dictionaries(st.sampled_from(["web", "absent"]), st.lists(S3_RULE, max_size=2) | VALUES,
                                max_size=2),
    "s3_buckets": entries(st.lists(S3_RULE, max_size=3)),
    "http_apis": entries(API_CORS, stage=VALUES),
    "rest_apis": entries(API_CORS, stage=st.sampled_from(["prod", ""]), gateway_responses=VALUES),
    "function_urls": entries(API_CORS),
    "aws": st.fixed_dictionaries({}, optional={"region": VALUES, "endpoint_url": VALUES}),
    "lint": st.fixed_dictionaries({}, optional={"production": VALUES}),
})


@FAST
@given(FILES)
def test_lint_sees_what_validate_sees_and_lints_the_rest(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prod.yaml"
        path.write_text(yaml.safe_dump(data))
        environment, problems = load_file_leniently(path)
        try:
            assert environment == load_file(path) and problems == []
        except ConfigError as refused:
            assert problems == list(refused.problems)
        assert environment is not None
        lint_environment(environment)
        flagged = {p.address for p in problems}
        assert not flagged & {r.address for r in environment.resources}
