"""The HTTP API as the real SAM translator expands it: the gateway JWT authorizer and its routes
live in the API's definition (which an update re-imports whole), and a browser's CORS preflight
reaches the app without a token, which answers it from the function's one CORS setting."""

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.sam import IMAGE_DEPLOY, SNAPSTART_DEPLOY, SamCli
from tests.support.cloudformation import Stack, evaluate
from tests.support.lambda_process import lambda_serving

ORIGIN = "https://app.example.com"
GATEWAY_JWT = {"GatewayJwtAuthorizer": "true", "CorsAllowOrigins": ORIGIN}
ROUTE_RESOURCES = {
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
}
V1 = "/v1/{proxy+}"


def expanded(sam_cli: SamCli, *parameter_sets: dict[str, str]) -> list[Stack]:
    templates = sam_cli.transform(*parameter_sets)
    return [evaluate(t, p) for t, p in zip(templates, parameter_sets, strict=True)]


def live_alias(stack: Stack) -> str:
    """The API function's `live` alias (the worker has one too)."""
    (alias,) = [
        name
        for name in stack.of_type("AWS::Lambda::Alias")
        if name.endswith("Aliaslive") and not name.startswith("Worker")
    ]
    return alias


def invoke(endpoint: str, event: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{endpoint}/2015-03-31/functions/function/invocations", data=json.dumps(event).encode()
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def http_event(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """An HTTP API event as the gateway sends it on the route without an authorizer."""
    return {
        "version": "2.0",
        "routeKey": f"{method} {V1}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4"},
            "requestId": "preflight-1",
            "routeKey": f"{method} {V1}",
            "stage": "dev",
        },
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("deploy", [IMAGE_DEPLOY, SNAPSTART_DEPLOY], ids=["image", "snapstart"])
def test_the_gateway_jwt_authorizer_and_its_routes_live_in_the_api_definition(
    sam_cli: SamCli, deploy: dict[str, str]
) -> None:
    # Given the same stack expanded with and without the gateway authorizer
    on, off = expanded(sam_cli, {**deploy, **GATEWAY_JWT}, deploy)

    # Then no route, integration or authorizer is a resource beside the API (an update would
    # wipe it); in the definition, /v1 requires the JWT authorizer and invokes `live`
    for stack in (on, off):
        assert {
            resource["Type"] for resource in stack.resources.values()
        } & ROUTE_RESOURCES == set()
    body = on.properties("HttpApi")["Body"]
    any_method = body["paths"][V1]["x-amazon-apigateway-any-method"]
    assert any_method["security"] == [{"GatewayJwt": []}]
    assert (
        f"/functions/<{live_alias(on)}>/invocations"
        in any_method["x-amazon-apigateway-integration"]["uri"]
    )
    authorizer = body["components"]["securitySchemes"]["GatewayJwt"][
        "x-amazon-apigateway-authorizer"
    ]
    assert authorizer == {
        "type": "jwt",
        "identitySource": "$request.header.Authorization",
        "jwtConfiguration": {
            "issuer": deploy["AuthIssuer"],
            "audience": [deploy["AuthAudience"]],
        },
    }
    # And without it the gateway has no /v1 route and no authorizer: the app verifies tokens
    off_body = off.properties("HttpApi")["Body"]
    assert V1 not in off_body["paths"]
    assert off_body.get("components", {}).get("securitySchemes", {}) == {}


def test_a_cors_preflight_reaches_the_app_without_a_token(sam_cli: SamCli, tmp_path: Path) -> None:
    # Given a stack with the gateway authorizer and a browser origin allowed
    (stack,) = expanded(sam_cli, {**IMAGE_DEPLOY, **GATEWAY_JWT})

    # Then OPTIONS on /v1 is a route without the authorizer, to the same function, and the
    # gateway has no CORS setting of its own: the function's CORS_ALLOW_ORIGINS is the one
    api = stack.properties("HttpApi")
    v1 = api["Body"]["paths"][V1]
    assert "security" not in v1["options"]
    assert (
        v1["options"]["x-amazon-apigateway-integration"]
        == v1["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
    )
    assert "CorsConfiguration" not in api
    assert "x-amazon-apigateway-cors" not in api["Body"]
    variables = stack.properties("ApiFunction")["Environment"]["Variables"]
    assert variables["CORS_ALLOW_ORIGINS"] == ORIGIN
    assert variables["AUTH_TRUST_GATEWAY_CLAIMS"] == "true"

    # When the function, with exactly that environment, gets a preflight and a tokenless GET
    with lambda_serving(variables, tmp_path / "function.log") as endpoint:
        preflight = invoke(
            endpoint,
            http_event(
                "OPTIONS",
                "/dev/v1/books",
                {
                    "origin": ORIGIN,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "authorization,content-type",
                },
            ),
        )
        read = invoke(endpoint, http_event("GET", "/dev/v1/books", {"origin": ORIGIN}))

    # Then the preflight is allowed without a token, and the request itself still needs one
    assert preflight["statusCode"] == 200
    assert preflight["headers"]["access-control-allow-origin"] == ORIGIN
    assert "authorization" in preflight["headers"]["access-control-allow-headers"].lower()
    assert read["statusCode"] == 401
    assert read["headers"]["access-control-allow-origin"] == ORIGIN
