"""Typed settings shared by every environment; values come from environment variables."""

import ipaddress
import os
from typing import Any, ClassVar, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app import __version__
from app.core.settings.sources import environment_values

EnvironmentName = Literal["local", "development", "staging", "production", "testing"]
LogLevel = Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"]


class BaseAppSettings(BaseModel):
    """Every setting the app reads. Environment classes only change defaults.

    A value given to the constructor wins; the others come from the environment variable
    named like the field, then from `env_file` (`app.core.settings.sources`).
    """

    # Built when the selected class is first instantiated: only one schema, not one per
    # environment class, during the Lambda init.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    # A dotenv file read beneath the environment's variables, relative to the working directory.
    env_file: ClassVar[str | None] = None

    environment: EnvironmentName = "local"
    service_name: str = Field(default="app", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    release: str = __version__
    api_base_path: str = ""

    log_level: LogLevel = "INFO"
    log_json: bool = False
    # CloudWatch namespace of the metrics in the log lines; empty: SERVICE_NAME.
    metrics_namespace: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._/#: -]{1,255}$")
    sentry_dsn: SecretStr | None = None
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)

    docs_enabled: bool = True
    cors_allow_origins: list[str] = []
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1)
    readiness_timeout_seconds: float = Field(default=3.0, gt=0)

    # Store URLs. On AWS the *_SECRET_ID variables name a Secrets Manager secret instead, read
    # at first use and kept (core/secrets.py).
    postgresql_url: SecretStr | None = None
    postgresql_url_secret_id: str | None = None
    mongo_url: SecretStr | None = None
    mongo_url_secret_id: str | None = None
    redis_url: SecretStr | None = None
    redis_url_secret_id: str | None = None

    # PostgreSQL pool: a Lambda sandbox serves one request at a time, so one connection.
    postgresql_pool_size: int = Field(default=5, ge=1)
    postgresql_max_overflow: int = Field(default=5, ge=0)
    postgresql_pool_recycle_seconds: int = Field(default=300, ge=1)
    postgresql_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    postgresql_connect_timeout_seconds: int = Field(default=3, ge=1)
    postgresql_statement_timeout_ms: int = Field(default=5000, ge=0)

    mongo_database: str | None = None
    mongo_connect_timeout_ms: int = Field(default=3000, ge=1)
    mongo_timeout_ms: int = Field(default=5000, ge=1)

    redis_socket_timeout_seconds: float = Field(default=0.5, gt=0)
    redis_connect_timeout_seconds: float = Field(default=0.5, gt=0)
    redis_breaker_failures: int = Field(default=3, ge=1)
    redis_breaker_cooldown_seconds: float = Field(default=5.0, gt=0)
    redis_health_check_interval_seconds: int = Field(default=30, ge=0)
    cache_ttl_seconds: int = Field(default=60, ge=1)
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=1)

    # Background work (docs/background.md): the queue POST /v1/books/imports sends to (`make
    # run` sets it to its local queue), and the age of a soft-deleted book the purge job removes.
    books_import_queue_url: str | None = None
    books_purge_after_days: int = Field(default=30, ge=0)

    # Bearer tokens (docs/auth.md): verified against the issuer's JWKS, or on Lambda taken from
    # API Gateway's authorizer. AUTH_JWKS_URL defaults to <issuer>/.well-known/jwks.json.
    auth_enabled: bool = False
    auth_issuer: str | None = Field(default=None, validate_default=True)
    auth_audience: list[str] = []
    auth_jwks_url: str | None = Field(default=None, validate_default=True)
    auth_trust_gateway_claims: bool = False
    auth_scope_prefix: str = ""

    rate_limit_requests: int = Field(default=1000, ge=0)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    trusted_proxy_hops: int = Field(default=0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {**environment_values(cls.model_fields, cls.env_file), **data}

    @field_validator("api_base_path")
    @classmethod
    def _normalise_base_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError("must be empty or start with '/', e.g. /dev")
        return value

    @field_validator("cors_allow_origins", "auth_audience", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("auth_issuer", mode="after")
    @classmethod
    def _issuer_when_enabled(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("auth_enabled") and not value:
            raise ValueError("required when AUTH_ENABLED is true")
        return value

    @field_validator("auth_jwks_url", mode="after")
    @classmethod
    def _jwks_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The effective JWKS URL: https, or http to a loopback host in local and testing."""
        issuer = info.data.get("auth_issuer")
        url = value or (f"{issuer.rstrip('/')}/.well-known/jwks.json" if issuer else None)
        if url is None or not info.data.get("auth_enabled"):
            return url
        parts = urlsplit(url)
        local = info.data.get("environment") in ("local", "testing")
        if parts.scheme == "https" or (parts.scheme == "http" and local and _loopback(parts)):
            return url
        raise ValueError(
            f"{url!r} must be https (http only to a loopback host in local and testing); "
            "it defaults to <AUTH_ISSUER>/.well-known/jwks.json"
        )

    @field_validator("metrics_namespace")
    @classmethod
    def _not_aws(cls, value: str | None) -> str | None:
        if value is not None and value.startswith("AWS/"):
            raise ValueError("AWS/ namespaces are AWS's own: CloudWatch refuses them")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def is_lambda(self) -> bool:
        return "AWS_LAMBDA_FUNCTION_NAME" in os.environ

    @property
    def is_snap_start(self) -> bool:
        """Lambda initialises this sandbox to snapshot it (SnapStart) rather than to serve."""
        return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start"


def _loopback(parts: SplitResult) -> bool:
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
