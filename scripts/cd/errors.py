"""The one failure CD reports: a message that says what to do."""


class CdError(Exception):
    """Stops the deploy; the message names the cause and the next step."""
