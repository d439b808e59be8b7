"""A Lambda sandbox's first invocation: an on-demand cold start, or the first after a SnapStart
restore (whose init ran long before, in another sandbox); and each invocation's X-Ray trace."""

import os
from typing import Literal

FirstInvocation = Literal["cold_start", "restore"]

_restores = 0  # SnapStart restores of this process


def restored() -> None:
    """The after-restore hook's part: the next invocation is the first of a restored sandbox."""
    global _restores
    _restores += 1


class SandboxStart:
    """Tells a handler which of its invocations is the sandbox's first, and of which kind."""

    __slots__ = ("_pending", "_restores_seen")

    def __init__(self) -> None:
        self._pending: FirstInvocation | None = "cold_start"
        self._restores_seen = _restores

    def next_invocation(self) -> FirstInvocation | None:
        """ "cold_start" or "restore" for the sandbox's first invocation, else None."""
        if _restores != self._restores_seen:
            self._restores_seen = _restores
            self._pending = None
            return "restore"
        pending, self._pending = self._pending, None
        return pending


def xray_trace_id() -> str | None:
    """The Root id of the invocation's X-Ray trace, as the X-Ray console shows it: the runtime
    sets `_X_AMZN_TRACE_ID` ("Root=1-...;Parent=...;Sampled=1") for each invocation."""
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if not header:
        return None
    start = header.find("Root=")
    if start < 0:
        return None
    end = header.find(";", start)
    return header[start + 5 : end if end >= 0 else None].strip() or None
