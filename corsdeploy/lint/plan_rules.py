"""The rules behind the plan's warnings (CD3xx). Most can only be known from AWS, so plan reports them,
tagged with their id (`lint.rule.tagged`); `lint` reports what the file alone shows (CD302)."""
from __future__ import annotations

from collections.abc import Iterator

from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.model import Kind, Resource


class AuthorizerCatchesPreflight(Rule):
    id = "CD301"
    name = "authorizer-catches-preflight"
    severity = Severity.WARNING
    description = ("An HTTP API route with an authorizer catches OPTIONS requests (ANY, OPTIONS or "
                   "$default), so API Gateway sends CORS preflights, which carry no credentials, to the "
                   "authorizer and they fail.")
    fix = ("Add an 'OPTIONS <path>' route without authorization beside the authorized route, or remove "
           "the authorization from the OPTIONS route.")


class RestSeveralOriginsOnActualResponses(Rule):
    id = "CD302"
    name = "rest-several-origins-on-actual-responses"
    severity = Severity.WARNING
    description = ("A REST API allowing several origins: corsdeploy answers preflights with the matching "
                   "origin, but API Gateway cannot choose one static Access-Control-Allow-Origin for "
                   "actual responses, so browsers block them unless the backend sends the header.")
    fix = ("Have each method's backend send Access-Control-Allow-Origin (map "
           "integration.response.header.Access-Control-Allow-Origin), or allow a single origin.")

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        rule = resource.cors.rules[0] if resource.kind is Kind.REST_API and resource.cors else None
        if rule is None or len(set(rule.allowed_origins)) < 2:
            return
        yield self.finding(
            resource, f"{len(set(rule.allowed_origins))} origins: API Gateway cannot send one static "
            "Access-Control-Allow-Origin on actual responses, so each method's backend must send it "
            "(plan names the methods that do not)", "cors", "AllowOrigins")


class RestProxyIntegration(Rule):
    id = "CD303"
    name = "rest-proxy-integration"
    severity = Severity.WARNING
    description = ("A REST API method with a proxy integration (AWS_PROXY, HTTP_PROXY): API Gateway passes "
                   "the backend's response through, so corsdeploy cannot add CORS headers to it.")
    fix = "Have the backend send Access-Control-Allow-Origin (and the other CORS headers) itself."


class StageNotAutoDeployed(Rule):
    id = "CD304"
    name = "stage-not-auto-deployed"
    severity = Severity.WARNING
    description = ("An HTTP API stage without automatic deployment keeps serving the old CORS after a "
                   "change until the API is deployed to it.")
    fix = "Name the stage in `stage:` so that corsdeploy deploys it after a change, or deploy it yourself."


class StageSettingNotNeeded(Rule):
    id = "CD305"
    name = "stage-setting-not-needed"
    severity = Severity.INFO
    description = ("`stage:` names an HTTP API stage that deploys automatically, so corsdeploy has nothing "
                   "to deploy there.")
    fix = "Remove `stage:` from the entry."


class CoManaged(Rule):
    id = "CD306"
    name = "co-managed"
    severity = Severity.WARNING
    description = ("Another IaC tool (CloudFormation, CDK, SAM, Terraform) also manages the resource, so "
                   "each tool's deployment overwrites the other's CORS.")
    fix = ("Move the CORS into one tool, or set `co_managed: true` on the entry to have corsdeploy write "
           "it anyway.")


class CoManagementCheckedAtApply(Rule):
    id = "CD307"
    name = "co-management-checked-at-apply"
    severity = Severity.INFO
    description = ("Whether another IaC tool manages an S3 bucket or a function URL is read from its tags "
                   "just before apply writes, not at plan.")
    fix = ("Nothing to do; set `co_managed: true` if another tool manages the resource and corsdeploy "
           "should write it anyway.")


class RestStageServesOtherChanges(Rule):
    id = "CD308"
    name = "rest-stage-serves-other-changes"
    severity = Severity.WARNING
    description = ("A REST API stage serves a deployment that differs from the API's draft beyond "
                   "corsdeploy's CORS keys, so the redeployment after a change ships those other changes "
                   "too.")
    fix = ("Deploy (or revert) the API's other draft changes before applying, so the redeployment ships "
           "CORS only.")


PLAN_RULES: tuple[type[Rule], ...] = (
    AuthorizerCatchesPreflight, RestSeveralOriginsOnActualResponses, RestProxyIntegration,
    StageNotAutoDeployed, StageSettingNotNeeded, CoManaged, CoManagementCheckedAtApply,
    RestStageServesOtherChanges,
)
