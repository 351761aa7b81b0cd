"""Every UNCONFIRMED choice the simulator makes, one named constant each; a `reason` that rests on
one names it."""
from __future__ import annotations

from collections.abc import Mapping

from corsdeploy.model import frozen

# --- REST APIs (simulate/rest_api.py; helper "rest") ----------------------------------------------

# Which HTTP version a browser reaches API Gateway with, so how it spells request header names:
# "HTTP/2" lowercases them (`origin`), "HTTP/1.1" keeps them as written (`Origin`). API Gateway
# passes names on as received (aws-sam-cli#479) and `$input.params().header` is a plain map, so a
# template reading only one spelling answers differently per version (CDK reads both, facts §7.5).
# A Lambda event logged behind a REST API from Chrome shows lowercase names (middyjs/middy#257).
# UNCONFIRMED that every endpoint type negotiates HTTP/2; the steps show the other version's answer
# when it differs.
REST_BROWSER_PROTOCOL = "HTTP/2"

# Whether `method.request.header.X` in a header mapping (integration and gateway responses) finds
# the header whatever its case. The known-issues page says API Gateway processes header names
# case-sensitively (facts §2.6), yet a deployed API answered a lowercase `authorization` for a
# mapping of `Authorization` (dherault/serverless-offline#1062). UNCONFIRMED.
REST_MAPPING_IGNORES_HEADER_CASE = True

# Whether `$context.responseOverride.header.X` in a response template sends X when the method
# response does not declare it. AWS's announcement of overrides says a template can "create a new
# header" (AWS Compute Blog, "Overriding request/response parameters and response status");
# corsdeploy declares the header anyway (services/rest_api/template.py). UNCONFIRMED.
REST_OVERRIDE_NEEDS_NO_DECLARATION = True

# The gateway response API Gateway answers with when a method's mapping fails: a MOCK request
# template that yields no statusCode (facts §2.2: "Internal server error"), no integration response
# for the status and no default one, a template that does not evaluate, one header overridden twice
# (documented as "a 5XX response"). API_CONFIGURATION_ERROR is the documented type for a mapping
# that cannot be matched; that every case above uses it is UNCONFIRMED.
REST_MAPPING_FAILURE = "API_CONFIGURATION_ERROR"

# The gateway response that refuses a preflight to a method needing authorization: browsers send
# no credentials, signature or API key on a preflight. Statuses are documented per type (facts
# §2.3); which type each missing identity gets is UNCONFIRMED.
REST_PREFLIGHT_REFUSED_BY: Mapping[str, str] = frozen({
    "AWS_IAM": "MISSING_AUTHENTICATION_TOKEN",
    "CUSTOM": "UNAUTHORIZED",
    "COGNITO_USER_POOLS": "UNAUTHORIZED",
    "API_KEY": "INVALID_API_KEY",
})

# The status the simulator reports for a backend it cannot see: a proxy integration's answer
# (whose CORS headers are the backend's), and the status a non-MOCK integration's selection
# patterns are matched against (the backend succeeding).
REST_BACKEND_STATUS = 200

# The content type whose request and response templates API Gateway runs for a browser's request:
# a preflight has no Content-Type (API Gateway then takes application/json) and accepts */*.
# UNCONFIRMED for response templates when the integration response has no application/json one.
REST_TEMPLATE_CONTENT_TYPE = "application/json"

# What API Gateway sends when the integration response's status has no method response (AWS
# refuses to create one without it, but a method response can be deleted afterwards): the status
# as the integration response gives it, with only the headers a template overrides. UNCONFIRMED.
REST_UNDECLARED_STATUS_SENT = True
