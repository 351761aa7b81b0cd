"""Reading environment files: YAML safely, positions kept, duplicates and syntax errors located."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsdeploy.config import environment_names, load_environment, load_file
from corsdeploy.errors import ConfigError
from tests.test_config_support import at, problem, problems, where, write

GOOD = """
    s3_buckets:
      assets:
        cors:
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
"""


def test_duplicate_key_is_reported_at_the_second_key(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          assets:
            cors: absent
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [GET]
    """)
    found = problem(path, "duplicate key 'cors'")
    assert where(found) == at(path, "cors:", 2)
    assert found.address == "s3_bucket.assets"
    assert f"first defined at line {at(path, 'cors:')[0]}" in found.message


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "state: a\nstate: b\n")
    assert where(problem(path, "duplicate key 'state'")) == (2, 1)


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        s3_buckets:
          assets:
            cors: [GET
          other: x
    """)
    (found,) = problems(path)
    assert found.message.startswith("YAML syntax error")
    assert found.location is not None and found.location.file == str(path)
    assert where(found)[0] == at(path, "other:")[0]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "prod.yaml", text)
    (found,) = problems(path)
    assert "top level must be a mapping" in found.message and where(found) == (1, 1)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "# nothing yet\n")
    (found,) = problems(path)
    assert "empty" in found.message


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "state: !!python/object/apply:os.system [echo hi]\n")
    found = problems(path)[0]
    assert where(found) == at(path, "!!python")


def test_json_is_accepted_with_positions(tmp_path: Path) -> None:
    body = {"s3_buckets": {"assets": {"cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}}}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(body, indent=2))
    found = problem(path, "'PATCH' is not one of")
    assert where(found) == at(path, '"PATCH"')


def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        bogus: 1
        s3_buckets:
          assets:
            cors: nope
          uploads:
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [PATCH]
    """)
    found = problems(path)
    assert [where(p) for p in found] == [at(path, "bogus"), at(path, "nope"), at(path, "PATCH")]


def test_yaml_merge_keys_and_anchors(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          base: &rule
            - AllowedOrigins: ["https://a.example.com"]
              AllowedMethods: [GET]
        s3_buckets:
          one:
            cors: *rule
          two:
            cors:
              - <<: {AllowedOrigins: ["https://b.example.com"], AllowedMethods: [GET]}
                AllowedMethods: [PUT]
    """)
    env = load_file(path)
    one, two = env.resources
    assert one.cors is not None and one.cors.rules[0].allowed_origins == ("https://a.example.com",)
    assert two.cors is not None and two.cors.rules[0].allowed_methods == ("PUT",)


def test_location_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "environments/prod.yaml", "bogus: 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_environment("environments", "prod")
    (found,) = caught.value.problems
    assert str(found).startswith("environments/prod.yaml:1:1: unknown key 'bogus'")


def test_environment_names_skip_fragments(tmp_path: Path) -> None:
    for name in ("prod.yaml", "dev.yml", "qa.json", "_base.yaml", "notes.txt"):
        write(tmp_path, name, "{}\n")
    assert environment_names(tmp_path) == ["dev", "prod", "qa"]


def test_missing_environment_lists_the_available_ones(tmp_path: Path) -> None:
    write(tmp_path, "prod.yaml", GOOD)
    write(tmp_path, "staging.yaml", GOOD)
    with pytest.raises(ConfigError) as caught:
        load_environment(tmp_path, "prd")
    assert "no environment 'prd'" in str(caught.value)
    assert "did you mean 'prod'?" in str(caught.value) and "available: prod, staging" in str(caught.value)


def test_fragments_are_not_environments(tmp_path: Path) -> None:
    write(tmp_path, "_base.yaml", GOOD)
    with pytest.raises(ConfigError, match="shared fragment"):
        load_environment(tmp_path, "_base")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        environment_names(tmp_path / "nowhere")


def test_two_files_for_one_environment_are_ambiguous(tmp_path: Path) -> None:
    write(tmp_path, "prod.yaml", GOOD)
    write(tmp_path, "prod.json", "{}")
    with pytest.raises(ConfigError, match="ambiguous"):
        load_environment(tmp_path, "prod")


def test_loaded_environment_is_named_after_the_file(tmp_path: Path) -> None:
    write(tmp_path, "prod.yml", GOOD)
    env = load_environment(tmp_path, "prod")
    assert env.name == "prod" and env.path == str(tmp_path / "prod.yml")
    (assets,) = env.resources
    assert assets.address == "s3_bucket.assets"
    assert (assets.location.line, assets.location.column) == at(tmp_path / "prod.yml", "assets")


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\x00\xff\xfe", "not UTF-8 text"),
    (b"s3_buckets:\n\ta: 1\n", "YAML syntax error: found character '\\t'"),
    (b"? [a, b]\n: 1\n", "a key must be a plain name"),
    (b"s3_buckets: &x [*x]\n", "an alias refers to itself"),
    (b"[" * 3000 + b"]" * 3000, "nested too deeply"),
    (b"{}\n---\n{}\n", "expected a single document in the stream, but found another document"),
    (b"state: !!python/name:os.system\n", "YAML error: could not determine a constructor"),
])
def test_hostile_input_is_a_config_error(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "prod.yaml"
    path.write_bytes(content)
    assert any(fragment in str(p) for p in problems(path)), [str(p) for p in problems(path)]


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "prod.yaml").mkdir()
    with pytest.raises(ConfigError, match="cannot read"):
        load_file(tmp_path / "prod.yaml")
