"""Property tests of the loader: whatever the bytes or the structure, a valid model or clean ConfigError."""
from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corsdeploy.config import load_file
from corsdeploy.errors import ConfigError
from corsdeploy.model import Environment

# Few examples, no deadline: `make test` stays fast; benchmarks/fuzz_loader.py runs for longer.
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = st.sampled_from(["aws", "state", "vars", "extends", "policies", "s3_buckets", "http_apis", "rest_apis",
                        "function_urls", "cors", "AllowedOrigins", "AllowedMethods", "AllowOrigins", "region",
                        "stage", "id", "lint_ignore", "<<"]) | st.text(max_size=8)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=20) | st.sampled_from(["GET", "*", "absent", "${v}", "$${x}", "${", "!!int x"]))
TREES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20)


def _load(data: bytes) -> Environment | None:
    """Load the bytes as an environment file: a model, or None after checking the ConfigError is clean."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "environments" / "prod.yaml"
        path.parent.mkdir()
        path.write_bytes(data)
        try:
            return load_file(path)
        except ConfigError as error:
            for problem in error.problems:
                text = str(problem)
                assert text.isprintable() and len(text) < 2000, repr(text)
            return None


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_end_in_a_model_or_a_clean_error(data: bytes) -> None:
    _load(data)


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(":-[]{}&*!|>'\"\n \t#%@`")),
               max_size=200))
def test_any_text_ends_in_a_model_or_a_clean_error(text: str) -> None:
    _load(text.encode("utf-8", "surrogatepass"))


@FAST
@given(st.dictionaries(KEYS, TREES, max_size=6))
def test_any_structure_ends_in_a_model_or_a_clean_error(tree: dict[str, object]) -> None:
    _load(yaml.safe_dump(tree, allow_unicode=True).encode("utf-8", "surrogatepass"))


@FAST
@given(st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True),
    st.lists(st.sampled_from(["x", "${a}", "${b}", "${c}", "${d}", "$${", "${"]), max_size=4).map("".join),
    max_size=6))
def test_vars_referring_to_each_other_always_resolve_or_fail_cleanly(variables: dict[str, str]) -> None:
    text = yaml.safe_dump({"vars": {"a": "${b}", **variables}, "state": "${a}"})
    environment = _load(text.encode())
    assert environment is None or "${" not in (environment.state or "")
