"""Last line of defence: any exception that escapes the routes becomes an envelope response.

Store failures become their 503s through the shared error mapping; anything else is a
500 that is logged with its traceback and sent to Sentry, never echoed to the client.
"""

from loguru import logger
from starlette.types import Message, Receive, Scope, Send

from app.core import metrics
from app.core.lines import printable
from app.core.sentry import capture_exception
from app.http.asgi import HttpMiddleware
from app.http.errors.exceptions import BaseApiRestException, error_response
from app.http.errors.mapping import to_api_exception


class UnhandledErrorMiddleware(HttpMiddleware):
    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            api_error = to_api_exception(error)
            if api_error is None:
                logger.opt(exception=error).error("Unhandled error on {}", printable(scope["path"]))
                capture_exception(error)
                # Answered with the envelope, not raised (API Gateway would replace it), so
                # Lambda's Errors metric never sees it: the request's line counts it.
                metrics.count(metrics.UNHANDLED_ERRORS)
                api_error = BaseApiRestException("Internal server error")
            else:
                logger.warning(
                    "{} on {}: {}",
                    type(error).__name__,
                    printable(scope["path"]),
                    api_error.message,
                )
            if response_started:
                raise
            await error_response(api_error)(scope, receive, send)
