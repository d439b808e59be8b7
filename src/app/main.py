"""Application factory; `app` for ASGI servers and `handler` for AWS Lambda."""

from app.core.cold_start import collector_paused

# Lambda init is this import: it runs with the garbage collector paused (core/cold_start.py).
with collector_paused():
    from fastapi import FastAPI
    from loguru import logger

    from app.api.routers import API_V1, include_routers
    from app.core.logging import configure_logging
    from app.core.secrets import store_configured
    from app.core.sentry import init_sentry
    from app.core.settings import Settings, get_settings
    from app.db.health import store_readiness_checks
    from app.http.auth.openapi import document_authentication
    from app.http.body_limit import BodySizeLimitMiddleware
    from app.http.docs import install_docs
    from app.http.errors.handlers import install_error_handlers
    from app.http.errors.middleware import UnhandledErrorMiddleware
    from app.http.etags import document_if_match
    from app.http.idempotency.openapi import document_idempotent_routes
    from app.http.openapi import COMMON_RESPONSES
    from app.http.rate_limit.openapi import document_rate_limit
    from app.http.readiness import ReadinessProbe
    from app.http.request_context.middleware import RequestContextMiddleware
    from app.http.request_context.openapi import document_request_id
    from app.lambda_handler import LambdaHandler, build_handler


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    init_sentry(settings)
    docs = settings.docs_enabled
    app = FastAPI(
        title=settings.service_name,
        version=settings.release,
        # The docs pages are the app's own (install_docs): FastAPI's load their assets from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        responses=COMMON_RESPONSES,
        # A trailing-slash redirect is built from the client's Host header and loses the API
        # Gateway stage: `/books/` is a 404 envelope instead, like any unknown path.
        redirect_slashes=False,
        # Request spans from FastAPI's own OpenTelemetry support: a no-op until a tracer
        # provider is set (the ADOT layer: docs/operations.md). Metrics come from the
        # request's line and logs from loguru, so FastAPI's are off, and so is its own OTLP
        # export (a provider brings its exporter).
        telemetry={
            "tracing": True,
            "operation_spans": False,
            "metrics": False,
            "logs": False,
            "auto_configure": False,
        },
    )
    app.state.settings = settings
    app.state.readiness = ReadinessProbe(
        store_readiness_checks(settings), settings.readiness_timeout_seconds
    )
    install_error_handlers(app)
    include_routers(app)
    if docs:
        install_docs(app)

    # Added innermost first: the last one added wraps all the others. An optional layer's
    # code is imported only when it is on: without Redis or authentication, the Lambda init
    # never loads theirs.
    redis = store_configured(settings, "redis")
    hops = settings.trusted_proxy_hops
    if redis:
        from app.http.idempotency.middleware import IdempotencyMiddleware
        from app.http.idempotency.route import idempotent_routes
        from app.http.idempotency.store import RedisIdempotencyStore

        store = RedisIdempotencyStore(settings)
        routes = idempotent_routes(app.routes)
        app.add_middleware(
            IdempotencyMiddleware, store=store, routes=routes, trusted_proxy_hops=hops
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    if redis and settings.rate_limit_requests:
        from app.http.rate_limit.middleware import RateLimitMiddleware
        from app.http.rate_limit.store import RedisRateLimiter

        limiter = RedisRateLimiter(settings)
        app.add_middleware(
            RateLimitMiddleware, limiter=limiter, path_prefix=API_V1, trusted_proxy_hops=hops
        )
    if settings.auth_enabled:
        from app.http.auth.middleware import AuthenticationMiddleware

        if not settings.auth_audience:
            logger.warning(
                "AUTH_AUDIENCE is empty: tokens of {} for any audience are accepted",
                settings.auth_issuer,
            )
        # Outside the rate limit and idempotency: both key their records by the subject.
        app.add_middleware(AuthenticationMiddleware, settings=settings, path_prefix=API_V1)
    app.add_middleware(UnhandledErrorMiddleware)
    if settings.cors_allow_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[
                "X-Request-ID",
                "ETag",
                "Location",
                "Idempotent-Replayed",
                "WWW-Authenticate",
            ],
        )
    app.add_middleware(RequestContextMiddleware, root_path=settings.api_base_path)
    # The documented contract: what a deployment with Redis answers.
    document_idempotent_routes(app)
    document_if_match(app)
    document_authentication(app, enabled=settings.auth_enabled)
    document_rate_limit(app, path_prefix=API_V1)
    document_request_id(app)
    return app


with collector_paused(freeze=True):
    _settings = get_settings()
    app = create_app(_settings)
    handler: LambdaHandler = build_handler(app, _settings)
    # A SnapStart init is paid once per published version, not per sandbox: it builds now
    # what on demand stays lazy until the first request (app/snapstart.py).
    if _settings.is_snap_start:
        from app.snapstart import prepare_snapshot

        prepare_snapshot(app, _settings)
