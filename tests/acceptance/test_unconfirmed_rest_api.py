"""REST API items of facts §7.5 and §8.2 (and the UNCONFIRMED notes in corsdeploy's REST service
and template modules), settled on a lab of resources under /lab of the suite's REST API (binary
media types `*/*`), deployed once. Each test records what API Gateway did; where corsdeploy
depends on an answer, the test checks it."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.acceptance.probes import Probe, actual, eventually, preflight, send
from tests.acceptance.throwaway import Aws, Throwaway, deploy_rest_stage, put_mock_method

Record = Callable[[str], str]
ONE, TWO, OTHER = "https://one.cdacc.example", "https://two.cdacc.example", "https://other.cdacc.example"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"
EXPORTED_RESPONSE = "UNAUTHORIZED"

_READ_ORIGIN = ("#set($origin = $input.params().header.get('Origin'))\n"
                '#if("$!origin" == "")\n#set($origin = $input.params().header.get(\'origin\'))\n#end\n')
_ECHO = f"#set($context.responseOverride.header.{ALLOW_ORIGIN} = $origin)\n#end\n"
# The template form corsdeploy wrote before (`.contains()` on a Velocity list literal) and CDK's form.
CONTAINS_TEMPLATE = (f"#set($allowed = ['{ONE}', '{TWO}'])\n" + _READ_ORIGIN
                     + '#if($allowed.contains("$!origin"))\n' + _ECHO)
EQUALITY_TEMPLATE = _READ_ORIGIN + f'#if($origin == "{ONE}" || $origin == "{TWO}")\n' + _ECHO
PARAMS_TEMPLATE = ('{"Origin": "$!input.params().header.get(\'Origin\')", '
                   '"origin": "$!input.params().header.get(\'origin\')"}')
OVERRIDE_TEMPLATE = ('#set($context.responseOverride.header.X-Lab-Declared = "yes")\n'
                     '#set($context.responseOverride.header.X-Lab-Undeclared = "yes")\n{"ok": true}')
PREFLIGHT_METHODS = {"Access-Control-Allow-Methods": "'GET'"}


def _resource(aws: Aws, api_id: str, parent: str, part: str) -> str:
    created = aws.client("apigateway").create_resource(restApiId=api_id, parentId=parent, pathPart=part)
    return str(created["id"])


@pytest.fixture(scope="module")
def lab(aws: Aws, throwaway: Throwaway) -> dict[str, str]:
    """/lab/{params,contains,equality,override,binary,reput}: their resource ids, deployed once."""
    api_id = throwaway.rest_api_id
    lab_id = _resource(aws, api_id, throwaway.rest_root_id, "lab")
    ids = {part: _resource(aws, api_id, lab_id, part)
           for part in ("params", "contains", "equality", "override", "binary", "reput")}
    put_mock_method(aws, api_id, ids["params"], "GET",
                    response_templates={"application/json": PARAMS_TEMPLATE})
    for part, template in (("contains", CONTAINS_TEMPLATE), ("equality", EQUALITY_TEMPLATE)):
        put_mock_method(aws, api_id, ids[part], "OPTIONS", response_templates={"application/json": template},
                        mapped=PREFLIGHT_METHODS, declared=[ALLOW_ORIGIN])
    put_mock_method(aws, api_id, ids["override"], "GET", declared=["X-Lab-Declared"],
                    response_templates={"application/json": OVERRIDE_TEMPLATE})
    put_mock_method(aws, api_id, ids["binary"], "OPTIONS", response_templates={"application/json": ""},
                    mapped={**PREFLIGHT_METHODS, ALLOW_ORIGIN: f"'{ONE}'"}, convert_to_text=False)
    put_mock_method(aws, api_id, ids["reput"], "GET", response_templates={"application/json": '{"ok": true}'})
    aws.client("apigateway").put_gateway_response(
        restApiId=api_id, responseType=EXPORTED_RESPONSE,
        responseParameters={"gatewayresponse.header.X-Lab": "'yes'"})
    deploy_rest_stage(aws, api_id, "cdacc lab")
    eventually(actual(throwaway.rest_url("/lab/params"), ONE), lambda answer: answer.status == 200,
               "the lab is deployed")
    return ids


def lab_url(throwaway: Throwaway, part: str) -> str:
    return throwaway.rest_url(f"/lab/{part}")


def test_unconfirmed_rest_params_header_case_insensitive(throwaway: Throwaway, lab: dict[str, str],
                                                         record: Record) -> None:
    """template.py: whether $input.params().header is case-insensitive (urllib sends `Origin`)."""
    answer = send(actual(lab_url(throwaway, "params"), ONE))
    body = answer.body.decode("utf-8", "replace")
    record(f"request header 'Origin: {ONE}'; the template read {body}")
    seen = json.loads(body)
    assert ONE in (seen.get("Origin"), seen.get("origin")), answer.describe()


def _echo(throwaway: Throwaway, part: str, origin: str) -> str | None:
    return send(Probe(lab_url(throwaway, part), "OPTIONS", origin, request_method="GET")).allow_origin


def test_unconfirmed_rest_template_list_contains(throwaway: Throwaway, lab: dict[str, str],
                                                 record: Record) -> None:
    """Facts §7.5: `.contains()` on a Velocity list literal, beside CDK's equality chain."""
    seen = {(part, origin): _echo(throwaway, part, origin)
            for part in ("contains", "equality") for origin in (TWO, OTHER)}
    record("; ".join(f"{part} template, Origin {origin}: {ALLOW_ORIGIN} {value!r}"
                     for (part, origin), value in seen.items()))
    assert seen[("equality", TWO)] == TWO and seen[("equality", OTHER)] is None, seen


def test_unconfirmed_rest_response_override_needs_declared_header(throwaway: Throwaway, lab: dict[str, str],
                                                                  record: Record) -> None:
    """services/rest_api/template.py: templates may only override headers the method response declares."""
    answer = send(actual(lab_url(throwaway, "override"), ONE))
    declared, undeclared = answer.header("X-Lab-Declared"), answer.header("X-Lab-Undeclared")
    record(f"responseOverride of a declared header -> {declared!r}; of an undeclared one -> {undeclared!r}")
    assert declared == "yes", answer.describe()


def test_unconfirmed_rest_mock_preflight_binary_needs_convert_to_text(
    throwaway: Throwaway, lab: dict[str, str], record: Record
) -> None:
    with_it = send(preflight(lab_url(throwaway, "equality"), TWO, "GET"))
    without = send(preflight(lab_url(throwaway, "binary"), ONE, "GET"))
    record(f"binary media types */*: MOCK preflight with CONVERT_TO_TEXT -> {with_it.status}; "
           f"without -> {without.status} {without.body[:120]!r}")
    assert with_it.status == 200, with_it.describe()


def _integration_responses(aws: Aws, throwaway: Throwaway, resource_id: str) -> list[str]:
    integration = aws.client("apigateway").get_integration(restApiId=throwaway.rest_api_id,
                                                           resourceId=resource_id, httpMethod="GET")
    return sorted(integration.get("integrationResponses") or {})


def test_unconfirmed_rest_put_integration_drops_responses(aws: Aws, throwaway: Throwaway, lab: dict[str, str],
                                                          record: Record) -> None:
    before = _integration_responses(aws, throwaway, lab["reput"])
    aws.client("apigateway").put_integration(
        restApiId=throwaway.rest_api_id, resourceId=lab["reput"], httpMethod="GET", type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'}, contentHandling="CONVERT_TO_TEXT")
    after = _integration_responses(aws, throwaway, lab["reput"])
    record(f"PutIntegration over an existing integration: integration responses {before} -> {after} "
           f"({'dropped' if before and not after else 'kept'})")
    assert before == ["200"], before


def test_unconfirmed_rest_put_method_response_on_existing(aws: Aws, throwaway: Throwaway, lab: dict[str, str],
                                                          record: Record) -> None:
    """Facts §7.5: Put on an existing method response conflicts; the Update patch operations change it."""
    apigw = aws.client("apigateway")
    target = {"restApiId": throwaway.rest_api_id, "resourceId": lab["reput"], "httpMethod": "GET",
              "statusCode": "200"}
    header = "method.response.header.X-Lab-Added"
    try:
        apigw.put_method_response(**target, responseParameters={header: False})
        said = "accepted (replaced)"
    except ClientError as error:
        said = f"refused: {error.response['Error'].get('Code')}"
        apigw.update_method_response(**target, patchOperations=[
            {"op": "add", "path": f"/responseParameters/{header}", "value": "false"}])
    parameters = apigw.get_method_response(**target).get("responseParameters") or {}
    record(f"PutMethodResponse on an existing response: {said}; then it declares {sorted(parameters)}")
    assert header in parameters, parameters


def test_unconfirmed_rest_stage_export_includes_gateway_responses(
    aws: Aws, throwaway: Throwaway, lab: dict[str, str], record: Record
) -> None:
    exported = aws.client("apigateway").get_export(
        restApiId=throwaway.rest_api_id, stageName="acc", exportType="oas30",
        parameters={"extensions": "apigateway"}, accepts="application/json")
    document: dict[str, Any] = json.loads(exported["body"].read())
    responses = document.get("x-amazon-apigateway-gateway-responses") or {}
    there = "is" if EXPORTED_RESPONSE in responses else "is NOT"
    record(f"GetExport (oas30, apigateway extensions) of the stage lists gateway responses "
           f"{sorted(responses)}; the customised {EXPORTED_RESPONSE} {there} there")


def test_unconfirmed_rest_default_gateway_responses(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """corsdeploy deletes a gateway response it leaves looking like the default: the defaults must be
    what it believes they are."""
    from corsdeploy.services.rest_api.reconcile import DEFAULT_GATEWAY_STATUS, DEFAULT_GATEWAY_TEMPLATES

    apigw = aws.client("apigateway")
    items = apigw.get_gateway_responses(restApiId=throwaway.rest_api_id, limit=500)["items"]
    defaults = {item["responseType"]: item for item in items if item.get("defaultResponse")}
    differ = {kind: {"statusCode": item.get("statusCode"), "responseTemplates": item.get("responseTemplates"),
                     "responseParameters": item.get("responseParameters")}
              for kind, item in sorted(defaults.items())
              if item.get("statusCode") != DEFAULT_GATEWAY_STATUS.get(kind)
              or dict(item.get("responseTemplates") or {}) != dict(DEFAULT_GATEWAY_TEMPLATES)
              or item.get("responseParameters")}
    record(f"{len(defaults)} default gateway responses; "
           f"differing from corsdeploy's belief: {differ or 'none'}")
    assert not differ, differ
