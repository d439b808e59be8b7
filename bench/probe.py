"""One fresh Lambda-like process: import the handler, serve the first request, then warm ones.

bench/run.py runs this source with `python3.X -S -P -c` and only a bundle on PYTHONPATH. The spec
comes in on stdin, the result goes out on a pipe, both as `marshal` (a builtin module): nothing
is imported before the handler's import is timed. The app's logs stay on stdout.

With `snap_start`, the import is a SnapStart init, and the runtime hooks run between it and
the first request as Lambda's runtime runs them around the snapshot.
"""

import marshal
import sys
import time


class LambdaContext:
    """What the Lambda runtime passes as `context`, as far as Mangum and the app read it."""

    def __init__(self, function_name: str) -> None:
        self.aws_request_id = "00000000-0000-0000-0000-000000000000"
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.memory_limit_in_mb = 1024

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main() -> None:
    spec = marshal.loads(sys.stdin.buffer.read())  # noqa: S302 - written by bench/run.py
    context = LambdaContext(spec["function_name"])
    events: dict[str, dict[str, object]] = spec["events"]

    def invoke(name: str) -> dict[str, object]:
        response: dict[str, object] = handler(events[name], context)
        if response.get("statusCode") != 200:
            raise SystemExit(f"{name}: {response}")
        return response

    started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
    handler = __import__(spec["module"], fromlist=["handler"]).handler
    imported, imported_cpu = time.perf_counter_ns(), time.process_time_ns()
    snapshotted = restored = imported
    if spec["snap_start"]:
        from snapshot_restore_py import get_after_restore, get_before_snapshot

        before = get_before_snapshot()
        while before:  # the last registered first
            hook, args, kwargs = before.pop()
            hook(*args, **kwargs)
        snapshotted = time.perf_counter_ns()
        for hook, args, kwargs in get_after_restore():
            hook(*args, **kwargs)
        restored = time.perf_counter_ns()
    first = invoke(spec["cold"])
    served, served_cpu = time.perf_counter_ns(), time.process_time_ns()

    import resource

    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    headers = first.get("headers")
    x_cache = headers.get("x-cache", "") if isinstance(headers, dict) else ""

    # One endpoint at a time, as the references (one route each) are measured: alternating
    # endpoints would run each one with colder CPU caches than its reference.
    samples: dict[str, list[int]] = {}
    cpu_samples: dict[str, list[int]] = {}
    for name in spec["warm"]:
        for _ in range(spec["warmup"]):
            invoke(name)
        samples[name], cpu_samples[name] = [], []
        for _ in range(spec["invocations"]):
            before, before_cpu = time.perf_counter_ns(), time.process_time_ns()
            invoke(name)
            cpu_samples[name].append(time.process_time_ns() - before_cpu)
            samples[name].append(time.perf_counter_ns() - before)

    result = {
        "init_ns": imported - started,
        "init_cpu_ns": imported_cpu - started_cpu,
        "cold_ns": served - started,
        "cold_cpu_ns": served_cpu - started_cpu,
        "before_snapshot_ns": snapshotted - imported,
        "after_restore_ns": restored - snapshotted,
        "first_ns": served - restored,
        "max_rss_kb": max_rss_kb,
        "cold_x_cache": x_cache,
        "warm_ns": samples,
        "warm_cpu_ns": cpu_samples,
    }
    with open(spec["result_fd"], "wb") as out:
        out.write(marshal.dumps(result))


if __name__ == "__main__":
    main()
