"""`extends`: deep merge (maps merge, lists replace, the file wins), relative paths, chains, cycles."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.config import load_environment, load_file
from corsdeploy.errors import ConfigError
from corsdeploy.model import Kind
from tests.test_config_support import FIXTURES, at, problem, problems, where, write

CHAIN = FIXTURES / "chain"


def test_chain_merges_maps_and_replaces_lists() -> None:
    env = load_environment(CHAIN / "envs", "staging")
    by_name = {r.name: r for r in env.resources}
    assert list(by_name) == ["from-root", "replaced-list", "from-middle"]
    root_rule = by_name["from-root"].cors.rules[0]  # type: ignore[union-attr]
    # The environment's `origin` wins over the root's, inside a policy the root defines.
    assert root_rule.allowed_origins == ("https://staging.example.com",)
    replaced = by_name["replaced-list"].cors.rules  # type: ignore[union-attr]
    assert [r.allowed_origins for r in replaced] == [("https://three.example.com",)]
    assert by_name["from-middle"].cors is None
    assert env.aws.profile == "staging" and env.aws.region == "eu-west-1"


def test_locations_survive_the_merge() -> None:
    env = load_environment(CHAIN / "envs", "staging")
    by_name = {r.name: r for r in env.resources}
    root_file, middle_file = CHAIN / "shared" / "_root.yaml", CHAIN / "shared" / "_middle.yaml"
    staging_file = CHAIN / "envs" / "staging.yaml"
    from_root = by_name["from-root"]
    assert from_root.location.file.endswith("shared/_root.yaml")
    assert (from_root.location.line, from_root.location.column) == at(root_file, "from-root")
    origin = from_root.location_of("cors", 0, "AllowedOrigins", 0)
    assert (origin.line, origin.column) == at(root_file, '"${origin}"')
    middle = by_name["from-middle"].location
    assert middle.file.endswith("shared/_middle.yaml") and (middle.line, middle.column) == at(
        middle_file, "from-middle")
    replaced = by_name["replaced-list"].location_of("cors", 0, "AllowedMethods", 0)
    assert replaced.file.endswith("envs/staging.yaml")
    assert (replaced.line, replaced.column) == at(staging_file, "PUT")
    assert by_name["replaced-list"].kind is Kind.S3_BUCKET


def test_problems_in_a_base_point_into_the_base(tmp_path: Path) -> None:
    base = write(tmp_path, "_base.yaml", """
        s3_buckets:
          shared:
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [TRACE]
    """)
    env = write(tmp_path, "prod.yaml", "extends: _base.yaml\n")
    found = problem(env, "'TRACE'")
    assert found.location is not None and found.location.file == str(base)
    assert where(found) == at(base, "TRACE")


def test_extends_is_relative_to_the_extending_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "ops/_base.yaml", "state: .corsdeploy-ops\n")
    write(tmp_path, "ops/envs/prod.yaml", "extends: ../_base.yaml\n")
    monkeypatch.chdir(tmp_path / "ops")
    assert load_environment("envs", "prod").state == ".corsdeploy-ops"


def test_cycle_is_an_error_naming_the_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "_a.yaml", "extends: _b.yaml\n")
    b = write(tmp_path, "_b.yaml", "extends: _a.yaml\n")
    write(tmp_path, "prod.yaml", "extends: _a.yaml\n")
    monkeypatch.chdir(tmp_path)
    (found,) = problems(Path("prod.yaml"))
    assert found.message == "extends: cycle _a.yaml -> _b.yaml -> _a.yaml"
    assert found.location is not None and found.location.file == "_b.yaml"
    assert where(found) == at(b, "_a.yaml")


def test_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "extends: prod.yaml\n")
    (found,) = problems(path)
    assert "cycle" in found.message and where(found) == at(path, "prod.yaml")


def test_missing_base_is_reported_at_the_extends_value(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "state: x\nextends: _nope.yaml\n")
    (found,) = problems(path)
    assert "'_nope.yaml' does not exist" in found.message
    assert where(found) == at(path, "_nope.yaml")


def test_extends_must_be_a_string(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "extends: [a, b]\n")
    (found,) = problems(path)
    assert "extends" in found.message and where(found) == at(path, "[a, b]")


def test_child_can_replace_a_base_map_entry_with_absent(tmp_path: Path) -> None:
    write(tmp_path, "_base.yaml", """
        http_apis:
          orders:
            id: abc123
            cors: {AllowOrigins: ["https://a.example.com"], AllowMethods: [GET]}
    """)
    path = write(tmp_path, "prod.yaml", """
        extends: _base.yaml
        http_apis:
          orders:
            cors: absent
    """)
    (orders,) = load_file(path).resources
    assert orders.cors is None and orders.settings == {"id": "abc123", "stage": None}


def test_syntax_error_in_a_base_stops_the_load(tmp_path: Path) -> None:
    write(tmp_path, "_base.yaml", "policies: [\n")
    path = write(tmp_path, "prod.yaml", "extends: _base.yaml\ns3_buckets: {a: {cors: p}}\n")
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    (found,) = caught.value.problems
    assert found.message.startswith("YAML syntax error")
    assert found.location is not None and found.location.file.endswith("_base.yaml")


def test_extends_must_stay_inside_the_project(tmp_path: Path) -> None:
    """A file from a pull request must not read outside the project (the environments folder's parent)."""
    write(tmp_path, "outside.yaml", "state: stolen\n")
    path = write(tmp_path, "project/environments/prod.yaml", "extends: ../../outside.yaml\n")
    (found,) = problems(path)
    project = (tmp_path / "project").resolve()
    assert found.message == ("extends: '../../outside.yaml' is outside the project "
                             f"({project}); environment files may extend only files inside it")
    assert where(found) == at(path, "../../outside.yaml")


def test_extends_through_a_symlink_out_of_the_project(tmp_path: Path) -> None:
    write(tmp_path, "outside.yaml", "state: stolen\n")
    (tmp_path / "project" / "environments").mkdir(parents=True)
    (tmp_path / "project" / "_link.yaml").symlink_to(tmp_path / "outside.yaml")
    path = write(tmp_path, "project/environments/prod.yaml", "extends: ../_link.yaml\n")
    (found,) = problems(path)
    assert "is outside the project" in found.message


def test_extends_anywhere_inside_the_project(tmp_path: Path) -> None:
    write(tmp_path, "project/shared/_base.yaml", "state: kept\n")
    path = write(tmp_path, "project/environments/prod.yaml", "extends: ../shared/_base.yaml\n")
    assert load_file(path).state == "kept"
