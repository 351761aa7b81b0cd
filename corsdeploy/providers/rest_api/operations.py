"""Every API Gateway (v1) call the REST provider makes. IAM knows them by HTTP verb on the resource
path, so the path is the ARN (ARN reference, "REST API resources")."""
from __future__ import annotations

from corsdeploy.providers.operations import APIGATEWAY, Operation, Phase


def _v1(name: str, verb: str, path: str, phase: Phase) -> Operation:
    return Operation("apigateway", name, f"apigateway:{verb}", APIGATEWAY + path, phase)


_API = "/restapis/{restApiId}"
_METHOD = _API + "/resources/{resourceId}/methods/{httpMethod}"
_METHOD_RESPONSE = _METHOD + "/responses/{statusCode}"
_INTEGRATION_RESPONSE = _METHOD + "/integration/responses/{statusCode}"
_GATEWAY_RESPONSE = _API + "/gatewayresponses/{responseType}"

GET_REST_APIS = _v1("GetRestApis", "GET", "/restapis", Phase.PLAN)
GET_REST_API = _v1("GetRestApi", "GET", _API, Phase.PLAN)
GET_STAGE = _v1("GetStage", "GET", _API + "/stages/{stageName}", Phase.PLAN)
# Only `import` lists stages (to fill in `stage:`); plan and apply read the one the file names.
GET_STAGES = _v1("GetStages", "GET", _API + "/stages", Phase.PLAN)
GET_DEPLOYMENTS = _v1("GetDeployments", "GET", _API + "/deployments", Phase.PLAN)
GET_RESOURCES = _v1("GetResources", "GET", _API + "/resources", Phase.PLAN)
GET_GATEWAY_RESPONSES = _v1("GetGatewayResponses", "GET", _API + "/gatewayresponses", Phase.PLAN)
# Only when a change would redeploy: what the stage serves, to compare with the draft. UNCONFIRMED
# whether IAM checks this path or the stage's; the stage's is granted for GetStage anyway.
GET_EXPORT = _v1("GetExport", "GET", _API + "/stages/{stageName}/exports/{exportType}", Phase.PLAN)

PUT_METHOD = _v1("PutMethod", "PUT", _METHOD, Phase.APPLY)
DELETE_METHOD = _v1("DeleteMethod", "DELETE", _METHOD, Phase.APPLY)
PUT_INTEGRATION = _v1("PutIntegration", "PUT", _METHOD + "/integration", Phase.APPLY)
PUT_METHOD_RESPONSE = _v1("PutMethodResponse", "PUT", _METHOD_RESPONSE, Phase.APPLY)
UPDATE_METHOD_RESPONSE = _v1("UpdateMethodResponse", "PATCH", _METHOD_RESPONSE, Phase.APPLY)
DELETE_METHOD_RESPONSE = _v1("DeleteMethodResponse", "DELETE", _METHOD_RESPONSE, Phase.APPLY)
PUT_INTEGRATION_RESPONSE = _v1("PutIntegrationResponse", "PUT", _INTEGRATION_RESPONSE, Phase.APPLY)
UPDATE_INTEGRATION_RESPONSE = _v1("UpdateIntegrationResponse", "PATCH", _INTEGRATION_RESPONSE, Phase.APPLY)
PUT_GATEWAY_RESPONSE = _v1("PutGatewayResponse", "PUT", _GATEWAY_RESPONSE, Phase.APPLY)
DELETE_GATEWAY_RESPONSE = _v1("DeleteGatewayResponse", "DELETE", _GATEWAY_RESPONSE, Phase.APPLY)
CREATE_DEPLOYMENT = _v1("CreateDeployment", "POST", _API + "/deployments", Phase.APPLY)

OPERATIONS = (
    GET_REST_APIS, GET_REST_API, GET_STAGE, GET_STAGES, GET_DEPLOYMENTS, GET_RESOURCES, GET_GATEWAY_RESPONSES,
    GET_EXPORT,
    PUT_METHOD, DELETE_METHOD, PUT_INTEGRATION, PUT_METHOD_RESPONSE, UPDATE_METHOD_RESPONSE,
    DELETE_METHOD_RESPONSE, PUT_INTEGRATION_RESPONSE, UPDATE_INTEGRATION_RESPONSE, PUT_GATEWAY_RESPONSE,
    DELETE_GATEWAY_RESPONSE, CREATE_DEPLOYMENT,
)
# The responses of a user's method (ResponseWriter) and of a preflight.
METHOD_RESPONSE_WRITES = (PUT_METHOD_RESPONSE, UPDATE_METHOD_RESPONSE, DELETE_METHOD_RESPONSE)
INTEGRATION_RESPONSE_WRITES = (PUT_INTEGRATION_RESPONSE, UPDATE_INTEGRATION_RESPONSE)
