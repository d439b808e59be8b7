"""`python -m scripts.cd <command>`: the steps of .github/workflows/cd.yml (docs/deploy.md).

Each command prints its results as name=value lines, also appended to $GITHUB_OUTPUT when
Actions sets it; a failure is one `::error::` line that says what to do, and exit status 1.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from scripts.cd import deploy, release, samconfig
from scripts.cd.errors import CdError

SAM = Path(__file__).parents[2] / ".tools" / "sam" / "bin" / "sam"


def emit(**values: object) -> None:
    lines = [f"{name}={value}" for name, value in values.items()]
    print("\n".join(lines))
    if output := os.environ.get("GITHUB_OUTPUT"):
        with open(output, "a", encoding="utf-8") as github_output:
            github_output.write("\n".join(lines) + "\n")


def client(service: str, region: str) -> Any:
    # botocore (and the modules using it) are imported where needed: `resolve` runs on the
    # runner's own Python, the other commands in the SAM CLI's environment, which has it.
    from botocore.session import get_session

    return get_session().create_client(service, region_name=region)


def run_resolve(args: argparse.Namespace) -> None:
    resolved = release.resolve(args.event, args.branch, args.sha, args.run_from)
    emit(environment=resolved.environment, sha=resolved.sha)


def run_config(args: argparse.Namespace) -> None:
    config = samconfig.load(args.environment)
    stores = config.stores()
    print("Stores: " + ", ".join(f"{s} {'used' if on else 'dropped'}" for s, on in stores.items()))
    emit(
        stack_name=config.stack_name,
        architecture=config.architecture,
        python_version=config.python_version,
        snap_start=str(config.snap_start).lower(),
    )


def run_image_exists(args: argparse.Namespace) -> None:
    from scripts.cd import image

    found = image.exists(client("ecr", args.region), args.repository, args.tag)
    emit(exists=str(found).lower())


def run_push_image(args: argparse.Namespace) -> None:
    from scripts.cd import image

    how = image.push(client("ecr", args.region), args.repository, args.tag, args.push)
    print(f"Image {args.repository}:{args.tag}: {how}")


def run_deploy(args: argparse.Namespace) -> None:
    config = samconfig.load(args.environment)
    code = deploy.Code(image_uri=args.image_uri, bucket=args.code_bucket, key=args.code_key)
    deployed = deploy.parameters(config, code, args.layer_arn, args.release)
    argv = deploy.command(args.sam, config, args.region, deployed, args.image_repository)
    if args.dry_run:
        print(deploy.shown(argv))
        return
    from scripts.cd import stack

    cloudformation = client("cloudformation", args.region)
    created = stack.prepare(cloudformation, config.stack_name)
    deploy.run(argv)
    outputs = deploy.outputs(cloudformation, config.stack_name)
    if created:
        checked = deploy.check_first_deploy(
            client("lambda", args.region), outputs["PreTrafficHook"]
        )
        print(f"First deploy checked: {checked['checks']}")
    emit(function_name=outputs["FunctionName"], api_url=outputs["ApiUrl"])


def add_region(command: argparse.ArgumentParser) -> None:
    command.add_argument("--region", default=os.environ.get("AWS_REGION", ""), help="$AWS_REGION")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m scripts.cd", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    resolve = commands.add_parser("resolve", help="the environment and commit to deploy")
    resolve.add_argument("--event", required=True, choices=["workflow_run", "workflow_dispatch"])
    resolve.add_argument("--branch", required=True)
    resolve.add_argument("--sha", default="", help="the commit CI passed on (workflow_run)")
    resolve.add_argument("--run-from", default="", help="the branch of a manual run's workflow")
    resolve.set_defaults(run=run_resolve)

    config = commands.add_parser("config", help="the environment's stack and build settings")
    config.add_argument("--environment", required=True)
    config.set_defaults(run=run_config)

    for name, run, help_text in [
        ("image-exists", run_image_exists, "whether the commit's image is in ECR"),
        ("push-image", run_push_image, "push the image, the same commit's other run tolerated"),
    ]:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--repository", required=True)
        command.add_argument("--tag", required=True)
        add_region(command)
        command.set_defaults(run=run)
    commands.choices["push-image"].add_argument(
        "push", nargs="+", metavar="PUSH", help="the push, after --: -- docker push URI"
    )

    deploy_command = commands.add_parser("deploy", help="sam deploy, then a first deploy's checks")
    deploy_command.add_argument("--environment", required=True)
    add_region(deploy_command)
    deploy_command.add_argument("--image-uri", default="")
    deploy_command.add_argument("--image-repository", default="")
    deploy_command.add_argument("--code-bucket", default="")
    deploy_command.add_argument("--code-key", default="")
    deploy_command.add_argument("--layer-arn", required=True)
    deploy_command.add_argument("--release", required=True)
    deploy_command.add_argument("--sam", default=str(SAM))
    deploy_command.add_argument("--dry-run", action="store_true", help="print the command only")
    deploy_command.set_defaults(run=run_deploy)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except CdError as error:
        print(f"::error::{error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
