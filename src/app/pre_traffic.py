"""The pre-traffic hook of a deploy (PreTrafficHook in infra/template.yaml): before CodeDeploy
moves any traffic to a new version, invoke that version the way production will, and report.

The checks, in order, each only if the previous passed:
1. with PostgreSQL, `{"action": "migrate"}` (the schema exists before the code that needs it);
2. GET <API_BASE_PATH>/health/ready as API Gateway sends it: every configured store answers;
3. GET <API_BASE_PATH>/: the version answers with the release being deployed.

CodeDeploy invokes the hook with its DeploymentId and LifecycleEventHookExecutionId: the
outcome goes to PutLifecycleEventHookExecutionStatus, and Failed leaves all traffic on the
previous version. Invoked without them (CD after a stack's first deploy, which creates `live`
without CodeDeploy), it only answers the outcome. The hook itself needs no database or VPC:
the version it checks does the work, with its own secrets and network.
"""

import json
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from loguru import logger

from app.core import aws

# The new version (a qualified function ARN) and whether it has migrations to run.
TARGET_VARIABLE = "PRE_TRAFFIC_TARGET"
MIGRATE_VARIABLE = "PRE_TRAFFIC_MIGRATE"
_CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+@")


class CheckFailed(Exception):
    """A check of the new version did not pass; the message says how."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def invoke(target: str, event: dict[str, Any]) -> Any:
    """The new version's answer to `event`; its error if it raised."""
    response = aws.lambda_().invoke(FunctionName=target, Payload=json.dumps(event).encode())
    payload = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        message = payload.get("errorMessage", payload) if isinstance(payload, dict) else payload
        raise CheckFailed(f"{response['FunctionError']} error: {message}")
    return payload


def http_request(path: str) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event for GET `path`, under the stage path like the gateway's."""
    raw_path = os.environ.get("API_BASE_PATH", "") + path
    stage = os.environ.get("API_BASE_PATH", "").strip("/") or "$default"
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": {"accept": "application/json", "user-agent": "pre-traffic-hook"},
        "requestContext": {
            "http": {
                "method": "GET",
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "pre-traffic-hook",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }


def get(target: str, path: str) -> dict[str, Any]:
    """The data of the new version's 200 answer to GET `path`; a failure naming the status,
    the message and the stores not ready otherwise."""
    response = invoke(target, http_request(path))
    status, envelope = response["statusCode"], json.loads(response["body"])
    if status == 200:
        return dict(envelope["data"])
    report = envelope["data"].get("details") or {}
    failing = [
        f"{check['name']} ({check.get('error')})"
        for check in report.get("checks", [])
        if not check.get("ok")
    ]
    stores = f" ({', '.join(failing)})" if failing else ""
    raise CheckFailed(f"GET {path} answered {status}: {envelope['message']}{stores}")


def migrate(target: str) -> str:
    answer = invoke(target, {"action": "migrate"})
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        raise CheckFailed(f"migrations answered {answer}")
    return f"applied {answer.get('applied') or 'none'}, head {answer.get('head')}"


def readiness(target: str) -> str:
    checks = get(target, "/health/ready")["checks"]
    return "ready: " + (", ".join(str(check["name"]) for check in checks) or "no store")


def release(target: str) -> str:
    answered = get(target, "/")["version"]
    expected = os.environ.get("RELEASE")
    if expected and answered != expected:
        raise CheckFailed(f"GET / answered release {answered}, not {expected}")
    return f"release {answered}"


def run_checks(target: str) -> list[Check]:
    steps = [("readiness", readiness), ("release", release)]
    if os.environ.get(MIGRATE_VARIABLE) == "true":
        steps.insert(0, ("migrations", migrate))
    results: list[Check] = []
    for name, step in steps:
        try:
            results.append(Check(name, True, step(target)))
        except Exception as exc:  # any failure, of the version or of the call, is a Failed
            reason = str(exc) if isinstance(exc, CheckFailed) else f"{type(exc).__name__}: {exc}"
            # A driver's message may quote a URL with its password.
            detail = _CREDENTIALS_IN_URL.sub("://***@", reason)
            results.append(Check(name, False, detail))
            break
    return results


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    target = os.environ[TARGET_VARIABLE]
    checks = run_checks(target)
    passed = all(check.ok for check in checks)
    for check in checks:
        log = logger.info if check.ok else logger.error
        log("Pre-traffic check of {}: {} {}", target, check.name, check.detail)
    if "DeploymentId" in event:
        aws.codedeploy().put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status="Succeeded" if passed else "Failed",
        )
    return {"ok": passed, "target": target, "checks": [asdict(check) for check in checks]}
