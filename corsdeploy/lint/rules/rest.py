"""Rules about what corsdeploy writes on a REST API: static header values and gateway responses
(facts §2.3-2.4; docs/cors-security.md §2.3 and §6 CDL045)."""
from __future__ import annotations

from collections.abc import Iterator

from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.lint.rules.fields import origins, shown
from corsdeploy.model import Kind, Resource
from corsdeploy.services.rest_api.pattern import gateway_types

LIST_SEPARATOR = ","


class RestOriginListInOneValue(Rule):
    id = "CD404"
    name = "rest-origin-list-in-one-value"
    severity = Severity.ERROR
    description = ("A REST origin holding ',' is sent as one static Access-Control-Allow-Origin value "
                   "listing several origins, which browsers reject (serverless#3324).")
    fix = "Write each origin as its own AllowOrigins item; corsdeploy answers several origins one by one."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind is not Kind.REST_API:
            return
        for origin in origins(resource):
            if LIST_SEPARATOR in origin.value:
                yield self.finding(resource, f"{origin.field} {shown(origin.value)} would be sent as one "
                                             "Access-Control-Allow-Origin value, and browsers reject a list "
                                             "there: every request fails; write each origin as its own item",
                                   *origin.path)


class RestGatewayResponsesReflectOrigin(Rule):
    id = "CD405"
    name = "rest-gateway-responses-reflect-origin"
    severity = Severity.WARNING
    description = ("Gateway responses cannot run the template that answers one of several origins, so with "
                   "several origins corsdeploy makes them echo the request's Origin: any website can read "
                   "API Gateway's own error responses.")
    fix = "Set `gateway_responses: []`, or allow one origin."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind is not Kind.REST_API or resource.cors is None:
            return
        (rule,) = resource.cors.rules
        responses = gateway_types(resource)
        if len(rule.allowed_origins) < 2 or not responses:
            return
        written = ("gateway_responses",) in resource.field_locations
        path = ("gateway_responses",) if written else ("cors", "AllowOrigins")
        message = (f"{len(rule.allowed_origins)} origins, and the gateway responses {', '.join(responses)} "
                   "cannot run the template that picks one, so they echo any request's Origin: every "
                   "website can read API Gateway's error responses")
        yield self.finding(resource, message, *path)


REST_RULES: tuple[type[Rule], ...] = (RestOriginListInOneValue, RestGatewayResponsesReflectOrigin)
