"""What a Lambda Python runtime puts on the path beside a function's code: here, links into
this environment's site-packages."""

from collections.abc import Collection
from pathlib import Path

# The AWS SDK as the runtime has it: botocore and what it imports. The bundle never ships it.
RUNTIME_SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


def link_packages(site_packages: Path, folder: Path, modules: Collection[str]) -> None:
    """Link each of `modules` (top-level names, with their dist-info) into `folder`."""
    for entry in site_packages.iterdir():
        if entry.name.split(".")[0] in modules:
            (folder / entry.name).symlink_to(entry)
