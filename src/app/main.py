"""Application factory; `app` for ASGI servers and `handler` for AWS Lambda."""

from app.shared.cold_start import collector_paused

# Lambda init is this import: it runs with the garbage collector paused (shared/cold_start.py).
with collector_paused():
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware

    from app.api.routers import API_V1, include_routers
    from app.core.secrets import store_configured
    from app.core.settings import Settings, get_settings
    from app.db.health import store_readiness_checks
    from app.db.redis.idempotency import RedisIdempotencyStore
    from app.db.redis.rate_limit import RedisRateLimiter
    from app.lambda_handler import LambdaHandler, build_handler
    from app.shared.error_handlers import install_error_handlers
    from app.shared.idempotency_openapi import document_idempotent_routes
    from app.shared.logging import configure_logging
    from app.shared.middlewares.body_limit import BodySizeLimitMiddleware
    from app.shared.middlewares.idempotency import IdempotencyMiddleware
    from app.shared.middlewares.rate_limit import RateLimitMiddleware
    from app.shared.middlewares.request_context import RequestContextMiddleware
    from app.shared.middlewares.unhandled_errors import UnhandledErrorMiddleware
    from app.shared.openapi import COMMON_RESPONSES, document_common_headers
    from app.shared.readiness import ReadinessProbe
    from app.shared.sentry import init_sentry

# POST routes that honour Idempotency-Key (docs/redis.md): one line per route.
IDEMPOTENT_ROUTES = (f"POST {API_V1}/books", f"POST {API_V1}/books/{{book_id}}/reviews")
RATE_LIMITED_PREFIX = API_V1


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    init_sentry(settings)
    docs = settings.docs_enabled
    app = FastAPI(
        title=settings.service_name,
        version=settings.release,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        responses=COMMON_RESPONSES,
    )
    app.state.settings = settings
    app.state.readiness = ReadinessProbe(
        store_readiness_checks(settings), settings.readiness_timeout_seconds
    )
    install_error_handlers(app)
    include_routers(app)
    document_idempotent_routes(app, IDEMPOTENT_ROUTES)
    document_common_headers(app, rate_limited_prefix=RATE_LIMITED_PREFIX)

    # Added innermost first: the last one added wraps all the others.
    redis = store_configured(settings, "redis")
    hops = settings.trusted_proxy_hops
    if redis:
        store = RedisIdempotencyStore(settings)
        app.add_middleware(
            IdempotencyMiddleware, store=store, routes=IDEMPOTENT_ROUTES, trusted_proxy_hops=hops
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    if redis and settings.rate_limit_requests:
        limiter = RedisRateLimiter(settings)
        app.add_middleware(
            RateLimitMiddleware,
            limiter=limiter,
            path_prefix=RATE_LIMITED_PREFIX,
            trusted_proxy_hops=hops,
        )
    app.add_middleware(UnhandledErrorMiddleware)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "ETag", "Location", "Idempotent-Replayed"],
        )
    app.add_middleware(RequestContextMiddleware, root_path=settings.api_base_path)
    return app


with collector_paused(freeze=True):
    _settings = get_settings()
    app = create_app(_settings)
    handler: LambdaHandler = build_handler(app, _settings)
