"""Cold start, warm latency, memory and size of the Lambda bundle, as ratios to reference apps.

Builds the project's bundle and the reference apps' (bench/reference), starts PostgreSQL, Redis
and MongoDB unless their URLs are set, migrates, inserts one book, then runs fresh `python3.X
-S` processes (this venv's version) round-robin (the order rotates every round) and prints
medians and paired ratios against their targets, the first request's cost with and without
SnapStart, and the init on each other Python given with --python (make bench: 3.12 and 3.13).
docs/performance.md explains the measures.
"""

import argparse
import marshal
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import snapshot_restore_py

from bundles import ROOT, Bundle, build_project, build_reference
from issuer import AUDIENCE, BenchIssuer, bench_issuer

sys.path.insert(0, str(ROOT))

from scripts.devstack import URL_VARS, DevStack, load_dotenv
from tests.support.lambda_events import build_event
from tests.support.lambda_runtime import RUNTIME_SDK_MODULES, link_packages

BOOK_ID = "6b1f3f52-2c1d-4f4e-9a59-0b3d5e1a7c01"
BOOK_PATH = f"/v1/books/{BOOK_ID}"
EVENTS = {
    "health": build_event("http_v2", "GET", "/health"),
    "book": build_event("http_v2", "GET", BOOK_PATH),
}
PROBE = (ROOT / "bench" / "probe.py").read_text()
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
PYTHON = str(Path(sys.base_prefix) / "bin" / f"python{VERSION}")  # the plain interpreter, no venv
MIB = 1024 * 1024
BUNDLE_BUDGET_MIB = 70
SNAP_START_LIMIT = 10  # first GET book after a restore / warm GET book


class ProbeResult(TypedDict):
    init_ns: int
    init_cpu_ns: int
    cold_ns: int
    cold_cpu_ns: int
    before_snapshot_ns: int
    after_restore_ns: int
    first_ns: int
    max_rss_kb: int
    cold_x_cache: str
    warm_ns: dict[str, list[int]]
    warm_cpu_ns: dict[str, list[int]]


Measure = Callable[[ProbeResult], float]


@dataclass(frozen=True)
class Target:
    label: str
    bundle: Bundle
    module: str
    cold: str  # the event of the first request
    warm: tuple[str, ...]
    env: Mapping[str, str]
    runs: list[ProbeResult] = field(default_factory=list)
    events: Mapping[str, dict[str, object]] = field(default_factory=lambda: EVENTS)
    snap_start: bool = False  # init for a SnapStart snapshot, then the runtime hooks
    python: str = PYTHON  # the bundle is built for its version

    def median(self, measure: Measure) -> float:
        return statistics.median(measure(run) for run in self.runs)


def init_ms(cpu: bool = False) -> Measure:
    return lambda run: (run["init_cpu_ns"] if cpu else run["init_ns"]) / 1e6


def cold_ms(cpu: bool = False) -> Measure:
    return lambda run: (run["cold_cpu_ns"] if cpu else run["cold_ns"]) / 1e6


def warm_us(event: str, cpu: bool = False) -> Measure:
    return lambda run: (
        statistics.median((run["warm_cpu_ns"] if cpu else run["warm_ns"])[event]) / 1e3
    )


def first_ms(run: ProbeResult) -> float:
    """The first request alone: after the import, and with SnapStart after the hooks."""
    return run["first_ns"] / 1e6


def before_snapshot_ms(run: ProbeResult) -> float:
    return run["before_snapshot_ns"] / 1e6


def after_restore_ms(run: ProbeResult) -> float:
    return run["after_restore_ns"] / 1e6


def rss_mib(run: ProbeResult) -> float:
    return run["max_rss_kb"] / 1024


@contextmanager
def stores() -> Iterator[dict[str, str]]:
    """URL of every store: from the environment or .env, else of an embedded server started here."""
    load_dotenv(ROOT / ".env", names=URL_VARS)
    stack = DevStack()
    try:
        started = stack.start()
        for var in URL_VARS:
            print(f"{var}: {'embedded' if var in started else 'from the environment'}")
        yield {var: started.get(var) or os.environ[var] for var in URL_VARS}
    finally:
        stack.stop()


def prepare_database(postgresql_url: str) -> None:
    """Migrate to head and make sure the benchmarked book exists."""
    import psycopg
    from sqlalchemy import make_url

    env = {**os.environ, "ENVIRONMENT": "production", "AUTH_ENABLED": "false"}
    env["POSTGRESQL_URL"] = postgresql_url
    migrate = [sys.executable, "-m", "app.db.postgresql.migrate"]
    subprocess.run(migrate, check=True, env=env, stdout=subprocess.DEVNULL)
    plain_url = make_url(postgresql_url).set(drivername="postgresql")
    with psycopg.connect(plain_url.render_as_string(hide_password=False)) as connection:
        connection.execute(
            "INSERT INTO public.books (id, title, author, year, type)"
            " VALUES (%s, 'Benchmarks', 'Bench', 2024, 'online') ON CONFLICT (id) DO NOTHING",
            (BOOK_ID,),
        )


def probe(target: Target, invocations: int) -> ProbeResult:
    """One fresh process: the handler import, the first request, then warm invocations."""
    read_end, write_end = os.pipe()
    spec = {
        "result_fd": write_end,
        "module": target.module,
        "function_name": "bench",
        "events": {name: target.events[name] for name in {target.cold, *target.warm}},
        "cold": target.cold,
        "warm": list(target.warm),
        "warmup": max(invocations // 4, 20),
        "invocations": invocations,
        "snap_start": target.snap_start,
    }
    env = {
        "PYTHONPATH": str(target.bundle.tree),
        "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's code directory is read-only
        "PATH": "",
        "LANG": "C.UTF-8",
        "ENVIRONMENT": "production",
        "AUTH_ENABLED": "false",  # the authentication variant turns it on
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_REGION": "us-east-1",
        **target.env,
    }
    with subprocess.Popen(
        [target.python, "-S", "-P", "-c", PROBE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,  # the app's logs: a pipe, as on Lambda
        stderr=subprocess.PIPE,
        env=env,
        pass_fds=(write_end,),
        cwd=target.bundle.tree,
    ) as process:
        os.close(write_end)
        _, stderr = process.communicate(marshal.dumps(spec), timeout=300)
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
    if process.returncode or not payload:
        raise RuntimeError(f"{target.label}: probe failed\n{stderr.decode()[-3000:]}")
    result: ProbeResult = marshal.loads(payload)  # noqa: S302 - written by our own child
    return result


def measure(targets: Sequence[Target], rounds: int, invocations: int) -> None:
    """Round r runs every target once, starting at target r: neighbours share the noise."""
    for round_index in range(-1, rounds):  # round -1 warms the page cache and is dropped
        for offset in range(len(targets)):
            target = targets[(round_index + offset) % len(targets)]
            result = probe(target, invocations)
            if round_index >= 0:
                target.runs.append(result)
        print(".", end="", flush=True)
    print()


def print_medians(targets: Sequence[Target]) -> None:
    print(
        f"\n{'medians (wall time; CPU time)':<32}{'init ms':>9}{'CPU':>6}{'cold ms':>9}"
        f"{'/health µs':>12}{'book µs':>9}{'RSS MiB':>9}{'MiB':>7}{'zip MiB':>9}"
    )
    for target in targets:
        warm = "".join(
            f"{target.median(warm_us(name)):>{width}.0f}"
            if name in target.warm
            else f"{'-':>{width}}"
            for name, width in (("health", 12), ("book", 9))
        )
        print(
            f"{target.label:<32}{target.median(init_ms()):>9.1f}"
            f"{target.median(init_ms(cpu=True)):>6.0f}{target.median(cold_ms()):>9.1f}{warm}"
            f"{target.median(rss_mib):>9.1f}{target.bundle.unzipped_bytes() / MIB:>7.1f}"
            f"{target.bundle.zipped_bytes() / MIB:>9.1f}"
        )


def paired_ratios(project: Target, reference: Target, measure: Measure) -> list[float]:
    """Project / reference for the two processes of each round, which ran close in time."""
    return [measure(a) / measure(b) for a, b in zip(project.runs, reference.runs, strict=True)]


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """p25, median and p75 (one value: itself three times)."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    low, middle, high = statistics.quantiles(values, n=4)
    return low, middle, high


def print_ratios(project: Target, bare: Target, orm: Target) -> None:
    print(f"\n{project.label}: median ratio of wall times [p25-p75], of CPU times, target")
    checks: Sequence[tuple[str, Target, Callable[[bool], Measure], float]] = (
        ("init / bare init", bare, init_ms, 1.3),
        ("cold first GET book / sqlalchemy ref", orm, cold_ms, 1.15),
        # With the request's line, which the bare app does not write (docs/performance.md).
        ("warm /health / bare", bare, lambda cpu: warm_us("health", cpu), 1.4),
        ("warm GET book / sqlalchemy ref", orm, lambda cpu: warm_us("book", cpu), 1.2),
    )
    for name, reference, measure, limit in checks:
        wall = paired_ratios(project, reference, measure(False))
        low, _, high = quartiles(wall)
        cpu = statistics.median(paired_ratios(project, reference, measure(True)))
        verdict = "PASS" if statistics.median(wall) <= limit else "MISS"
        print(
            f"  {name:<38}{statistics.median(wall):>6.2f}x [{low:.2f}-{high:.2f}]"
            f" CPU {cpu:.2f}x  <= {limit:.2f}x  {verdict}"
        )
    size = project.bundle.unzipped_bytes() / MIB
    verdict = "PASS" if size <= BUNDLE_BUDGET_MIB else "MISS"
    print(f"  {'bundle unzipped':<38}{size:>6.1f} MiB{'':<23}<= {BUNDLE_BUDGET_MIB} MiB  {verdict}")
    hits = sum(run["cold_x_cache"] == "HIT" for run in project.runs)
    if hits:
        print(f"  (first GET book was a Redis cache hit in {hits}/{len(project.runs)} processes)")


def print_first_request(targets: Sequence[Target]) -> None:
    """The first GET book's own cost as a ratio to a warm one of the same process: on demand it
    pays for everything lazy; after a SnapStart restore, for little more than a connection."""
    print(
        "\nfirst GET book / warm GET book, same process (SnapStart: after the hooks)\n"
        f"{'':<32}{'init ms':>9}{'before':>8}{'after':>7}{'first ms':>10}{'warm µs':>9}"
        f"{'ratio [p25-p75]':>22}  target"
    )
    for target in targets:
        ratios = [first_ms(run) / warm_us("book")(run) * 1000 for run in target.runs]
        low, ratio, high = quartiles(ratios)
        before, after = target.median(before_snapshot_ms), target.median(after_restore_ms)
        hooks = f"{before:>8.1f}{after:>7.1f}" if target.snap_start else f"{'-':>8}{'-':>7}"
        verdict = f"<= {SNAP_START_LIMIT:.0f}x  {'PASS' if ratio <= SNAP_START_LIMIT else 'MISS'}"
        print(
            f"{target.label:<32}{target.median(init_ms()):>9.1f}{hooks}"
            f"{target.median(first_ms):>10.1f}{target.median(warm_us('book')):>9.0f}"
            f"{f'{ratio:.1f}x [{low:.1f}-{high:.1f}]':>22}  {verdict if target.snap_start else '-'}"
        )


InitByPython = tuple[str, Target, Target]  # version, the project, the bare app


def other_pythons(pythons: Sequence[str], work: Path, env: Mapping[str, str]) -> list[InitByPython]:
    """For each interpreter of another version: the project (postgres only) and the bare app,
    bundled for that version and probed with it."""
    rows: list[InitByPython] = []
    for python in pythons:
        version = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if version == VERSION:
            continue
        project_bundle = build_project(work / f"project-{version}", python)
        bare_bundle = build_reference("bare", work / f"bare-{version}", python)
        both = ("health", "book")
        label = f"project, postgres only, {version}"
        project = Target(label, project_bundle, "app.main", "book", both, env, python=python)
        bare = Target(
            f"bare, {version}", bare_bundle, "bare", "health", ("health",), {}, python=python
        )
        rows.append((version, project, bare))
    return rows


def print_init_by_python(rows: Sequence[InitByPython]) -> None:
    """The handler's import on each Lambda Python runtime, and its ratio to the bare app's."""
    print(
        "\ninit by Python version (project, postgres only / bare FastAPI + Mangum)\n"
        f"{'':<14}{'project ms':>11}{'CPU':>6}{'bare ms':>9}{'CPU':>6}{'ratio [p25-p75]':>20}"
        f"{'CPU':>7}"
    )
    for version, project, bare in rows:
        ratios = paired_ratios(project, bare, init_ms())
        low, ratio, high = quartiles(ratios)
        cpu = statistics.median(paired_ratios(project, bare, init_ms(cpu=True)))
        print(
            f"{'python' + version:<14}{project.median(init_ms()):>11.1f}"
            f"{project.median(init_ms(cpu=True)):>6.0f}{bare.median(init_ms()):>9.1f}"
            f"{bare.median(init_ms(cpu=True)):>6.0f}{f'{ratio:.2f}x [{low:.2f}-{high:.2f}]':>20}"
            f"{cpu:>6.2f}x"
        )


def lambda_runtime_path(folder: Path) -> Path:
    """What a Lambda Python runtime puts on the path and the bundle does not ship: the SnapStart
    hook registry (`snapshot_restore_py`), here the copy installed with awslambdaric, and the
    AWS SDK (a SnapStart init imports it), linked from this environment."""
    folder.mkdir(parents=True)
    shutil.copy(snapshot_restore_py.__file__, folder)
    link_packages(Path(snapshot_restore_py.__file__).parent, folder, RUNTIME_SDK_MODULES)
    return folder


def authenticated_target(bundle: Bundle, env: Mapping[str, str], issuer: BenchIssuer) -> Target:
    """Postgres only, with every GET book carrying a token the app verifies (RS256, JWKS)."""
    authorization = {"authorization": f"Bearer {issuer.token}"}
    events = {**EVENTS, "book": build_event("http_v2", "GET", BOOK_PATH, headers=authorization)}
    auth = {
        "AUTH_ENABLED": "true",
        "AUTH_ISSUER": issuer.url,
        "AUTH_AUDIENCE": AUDIENCE,
        "SSL_CERT_FILE": str(issuer.certificate),
    }
    both = ("health", "book")
    label = "project, postgres, token"
    return Target(label, bundle, "app.main", "book", both, {**env, **auth}, events=events)


def print_auth_ratio(authenticated: Target, plain: Target) -> None:
    """What verifying the token adds to a warm GET book: the target is 1.15x auth off."""
    wall = paired_ratios(authenticated, plain, warm_us("book"))
    low, _, high = quartiles(wall)
    cpu = statistics.median(paired_ratios(authenticated, plain, warm_us("book", cpu=True)))
    verdict = "PASS" if statistics.median(wall) <= 1.15 else "MISS"
    print(
        f"\n{authenticated.label} / {plain.label}:\n"
        f"  {'warm GET book, token / auth off':<38}{statistics.median(wall):>6.2f}x"
        f" [{low:.2f}-{high:.2f}] CPU {cpu:.2f}x  <= 1.15x  {verdict}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds, 100 warm invocations")
    parser.add_argument("--rounds", type=int, help="fresh processes per target (default 15)")
    parser.add_argument("--invocations", type=int, help="timed warm invocations per process")
    parser.add_argument("--project-bundle", type=Path, help="a dist dir of make bundle to use")
    parser.add_argument(
        "--candidate",
        type=Path,
        action="append",
        default=[],
        help="another dist dir (e.g. a changed copy) measured like the project, postgres only",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="an interpreter of another Lambda Python version: its init is measured too",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 15)
    invocations = args.invocations or (100 if args.quick else 300)
    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as scratch,
        stores() as urls,
        bench_issuer(Path(scratch)) as issuer,
    ):
        work = Path(scratch)
        print("building bundles", flush=True)
        dist = args.project_bundle
        project_bundle = Bundle.of(dist) if dist else build_project(work / "project")
        bare_bundle = build_reference("bare", work / "bare")
        orm_bundle = build_reference("sqlalchemy_ref", work / "sqlalchemy_ref")
        prepare_database(urls["POSTGRESQL_URL"])

        # Never reached, still counted: the limiter's Redis round trip stays in the measure.
        postgres = {"POSTGRESQL_URL": urls["POSTGRESQL_URL"], "RATE_LIMIT_REQUESTS": str(10**9)}
        stores_env = {**postgres, "REDIS_URL": urls["REDIS_URL"], "MONGO_URL": urls["MONGO_URL"]}
        both = ("health", "book")
        postgres_only = Target(
            "project, postgres only", project_bundle, "app.main", "book", both, postgres
        )
        authenticated = authenticated_target(project_bundle, postgres, issuer)
        runtime = lambda_runtime_path(work / "runtime")
        snap_start = Target(
            "project, postgres, snap-start",
            project_bundle,
            "app.main",
            "book",
            both,
            {
                **postgres,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
                "PYTHONPATH": f"{project_bundle.tree}{os.pathsep}{runtime}",
            },
            snap_start=True,
        )
        projects = [
            postgres_only,
            authenticated,
            Target("project, all stores", project_bundle, "app.main", "book", both, stores_env),
            *(
                Target(
                    f"candidate {path.name}", Bundle.of(path), "app.main", "book", both, postgres
                )
                for path in args.candidate
            ),
        ]
        bare = Target("bare (cold: GET /health)", bare_bundle, "bare", "health", ("health",), {})
        orm = Target("sqlalchemy ref", orm_bundle, "sqlalchemy_ref", "book", ("book",), postgres)
        by_python = [(VERSION, postgres_only, bare), *other_pythons(args.python, work, postgres)]
        other_versions = [target for _, *pair in by_python[1:] for target in pair]
        targets = [*projects, snap_start, bare, orm, *other_versions]
        print(f"{rounds} rounds x {len(targets)} fresh processes", flush=True)
        measure(targets, rounds, invocations)
        print_medians(targets)
        for project in projects:
            print_ratios(project, bare, orm)
        print_auth_ratio(authenticated, postgres_only)
        print_first_request([postgres_only, snap_start])
        print_init_by_python(by_python)
    took = time.monotonic() - began
    print(f"\n{took:.0f} s on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
