"""`vars`: ${name} replaced after merging, everywhere; unknown names located; $${ is a literal ${."""
from __future__ import annotations

from pathlib import Path

from corsdeploy.config import load_file
from tests.test_config_support import at, problem, problems, where, write


def test_variables_are_replaced_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars:
          app: https://app.example.com
          account: "123456789012"
          bucket: ops-state
        state: s3://${bucket}/corsdeploy
        aws:
          account_id: ${account}
          assume_role: arn:aws:iam::${account}:role/deployer
        http_apis:
          orders:
            cors: {AllowOrigins: ["${app}", "https://admin.example.com"], AllowMethods: [GET]}
            lint_ignore: {CD101: "needed by ${app}"}
    """)
    env = load_file(path)
    assert env.state == "s3://ops-state/corsdeploy"
    assert env.aws.account_id == "123456789012"
    assert env.aws.assume_role == "arn:aws:iam::123456789012:role/deployer"
    (orders,) = env.resources
    assert orders.cors is not None
    assert orders.cors.rules[0].allowed_origins == ("https://app.example.com", "https://admin.example.com")
    assert orders.lint_ignore == {"CD101": "needed by https://app.example.com"}


def test_child_overrides_a_base_variable_used_in_the_base(tmp_path: Path) -> None:
    write(tmp_path, "_base.yaml", """
        vars: {app: https://base.example.com}
        policies:
          web:
            - AllowedOrigins: ["${app}"]
              AllowedMethods: [GET]
        s3_buckets:
          assets: {cors: web}
    """)
    path = write(tmp_path, "prod.yaml", "extends: _base.yaml\nvars: {app: https://prod.example.com}\n")
    (assets,) = load_file(path).resources
    assert assets.cors is not None and assets.cors.rules[0].allowed_origins == ("https://prod.example.com",)


def test_unknown_variable_is_located_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars: {app: https://app.example.com}
        s3_buckets:
          assets:
            cors:
              - AllowedOrigins: ["https://ok.example.com", "${ap}"]
                AllowedMethods: [GET]
    """)
    found = problem(path, "unknown variable ${ap}")
    assert "did you mean 'app'?" in found.message
    assert found.address == "s3_bucket.assets" and found.message.startswith("AllowedOrigins[1]: ")
    assert where(found) == at(path, '"${ap}"')


def test_unknown_variable_without_any_vars(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "state: ${where}\n")
    found = problem(path, "unknown variable ${where}")
    assert "no vars are defined" in found.message and where(found) == at(path, "${where}")


def test_dollar_dollar_brace_is_a_literal(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars: {app: x}
        http_apis:
          orders:
            cors: {AllowOrigins: ["https://app.example.com"], AllowHeaders: ["$${app}", "$$plain"]}
    """)
    (orders,) = load_file(path).resources
    assert orders.cors is not None and orders.cors.rules[0].allowed_headers == ("${app}", "$$plain")


def test_unclosed_reference_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "vars: {app: x}\nstate: s3://b/${app\n")
    found = problem(path, "must start a reference")
    assert where(found) == at(path, "s3://b")


def test_numbers_are_converted_and_booleans_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars:
          port: 8443
          debug: yes
        http_apis:
          orders:
            cors: {AllowOrigins: ["https://app.example.com:${port}"]}
    """)
    found = problem(path, "vars.debug")
    assert "booleans" in found.message and where(found) == at(path, "yes")
    path.write_text(path.read_text().replace("  debug: yes\n", ""))
    (orders,) = load_file(path).resources
    assert orders.cors is not None and orders.cors.rules[0].allowed_origins == ("https://app.example.com:8443",)


def test_a_variable_may_use_another(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars:
          domain: example.com
          app: https://app.${domain}
        http_apis:
          orders:
            cors: {AllowOrigins: ["${app}"]}
    """)
    (orders,) = load_file(path).resources
    assert orders.cors is not None and orders.cors.rules[0].allowed_origins == ("https://app.example.com",)


def test_variable_cycle_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        vars:
          a: x${b}
          b: y${a}
    """)
    (found,) = problems(path)
    assert found.message == "vars.a: variable cycle: a -> b -> a"
    assert where(found) == at(path, "x${b}")


def test_invalid_variable_name(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", "vars:\n  9lives: x\n")
    found = problem(path, "'9lives' is not a variable name")
    assert where(found) == at(path, "9lives")
