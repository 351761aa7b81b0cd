"""How Lambda function URLs answer a browser's request from their `Cors` object: the same
evaluation as HTTP APIs (simulate/http_api.py), under Lambda's own UNCONFIRMED choices (facts §4.3)."""
from __future__ import annotations

from corsdeploy.model import CorsConfig, Live, Resource
from corsdeploy.services.function_url import SERVICE
from corsdeploy.simulate.assumptions import FUNCTION_URL, FUNCTION_URL_ANSWERS_PREFLIGHT
from corsdeploy.simulate.http_api import Surface, config_of, evaluate_on
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

FUNCTION_URL_SURFACE = Surface("Lambda", "the function", SERVICE, FUNCTION_URL,
                               preflight_note=FUNCTION_URL_ANSWERS_PREFLIGHT)


def answer(resource: Resource, request: BrowserRequest, live: Live | None) -> ServiceAnswer:
    """The function URL's answer from the file's `cors`, or with `live` from the URL's live one."""
    return evaluate(config_of(FUNCTION_URL_SURFACE, resource, live), request)


def evaluate(config: CorsConfig | None, request: BrowserRequest) -> ServiceAnswer:
    """What a function URL with `config` (None: no CORS) sends back to `request`."""
    return evaluate_on(FUNCTION_URL_SURFACE, config, request)
