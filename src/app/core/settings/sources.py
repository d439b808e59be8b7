"""Where settings come from: the environment variable named like the field, in any case, then a
dotenv file where the environment class reads one (local: `.env`); an empty value is unset.

Read by hand rather than through pydantic-settings, whose import and sources cost the Lambda
init more than the settings themselves (docs/performance.md).
"""

import os
from collections.abc import Collection, Mapping


def environment_values(names: Collection[str], env_file: str | None = None) -> dict[str, str]:
    """The non-empty value of each of `names` (field names) in the environment, else in
    `env_file` when it exists."""
    sources: list[Mapping[str, str | None]] = [os.environ]
    if env_file is not None and os.path.isfile(env_file):
        from dotenv import dotenv_values  # the local environment's .env only

        sources.insert(0, dotenv_values(env_file))
    values: dict[str, str] = {}
    for source in sources:  # the environment last: it wins
        lowered = {name.lower(): value for name, value in source.items()}
        values.update((name, value) for name in names if (value := lowered.get(name)))
    return values
