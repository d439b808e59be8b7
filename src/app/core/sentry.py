"""Sentry, only when SENTRY_DSN is set: integrations listed explicitly, auto-enabling off."""

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.settings import Settings


def init_sentry(settings: "Settings") -> bool:
    """Initialise the SDK when a DSN is configured; returns whether Sentry is on."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    # Auto-enabling integrations probe every installed library and make each Lambda
    # invocation measurably slower; list the ones this service needs instead.
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.environment,
        release=settings.release,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        auto_enabling_integrations=False,
        integrations=[StarletteIntegration(), FastApiIntegration(), AwsLambdaIntegration()],
    )
    sentry_sdk.set_tag("service", settings.service_name)
    return True


def _sdk_active() -> bool:
    sdk = sys.modules.get("sentry_sdk")
    return sdk is not None and sdk.is_initialized()


def tag_trace_id(trace_id: str) -> None:
    if _sdk_active():
        import sentry_sdk

        sentry_sdk.set_tag("trace_id", trace_id)


def capture_exception(error: BaseException) -> None:
    if _sdk_active():
        import sentry_sdk

        sentry_sdk.capture_exception(error)
