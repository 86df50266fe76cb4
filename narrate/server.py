"""A warm narrate process that runs ``narrate render`` and ``narrate regen`` for the command line.

A fresh process spends most of a one-sentence re-render getting ready: the interpreter, the imports,
compiling the normalizer's rules, starting the engine, reading the take cache's metadata (0.7 s of a
0.8 s re-render of a 5,000-word script, against ~0.1 s of work). The server keeps all of that
between commands, as ``narrate watch`` does for one script:

- The first ``render``/``regen`` that finds no server runs as always, then starts one in the
  background. Later ones hand the server their arguments, working folder, environment, umask and
  terminal (stdin, stdout and stderr, passed as file descriptors) and print nothing themselves: the
  command runs in the server, with the same code, output and exit code.
- Ctrl-C (and SIGTERM, SIGHUP) at the command is passed on: the render stops as an interrupted
  render does. A command killed outright (kill -9) closes its socket, and the server interrupts the
  render at once. Takes and tracks are written atomically either way, so nothing finished is lost.
- The server runs one command at a time; another command meanwhile runs in its own process, as
  without a server (the take cache's lock orders two renders of one script).
- If the server dies during a command, the command runs again in its own process.
- One server per user and per narrate installation: its socket's name is a fingerprint of narrate's
  files, the interpreter and the installed packages, so an edited or upgraded narrate gets a new
  server, and the old one exits when idle.
- It exits after ``NARRATE_SERVER_IDLE`` seconds without a command (default 600).
  ``NARRATE_SERVER=0`` turns it off: every command runs in its own process and none is started.
- The socket lives in a folder only its user can open (``$XDG_RUNTIME_DIR/narrate``, else
  ``/tmp/narrate-UID``, mode 0700, or ``NARRATE_SERVER_DIR``), and the server answers only its own
  user (the socket's peer credentials, where the system gives them).

The client half (``forward``) runs in every ``narrate`` command before anything else, so this module
imports only what a socket needs; the server half imports the rest when it starts.
"""

from __future__ import annotations

import _socket  # the C module under socket: `import socket` costs ~5 ms (enum, selectors), the client needs none of it
import marshal
import os
import sys

TYPE_CHECKING = False  # (not importing typing: the client half runs first in every command)
if TYPE_CHECKING:
    import socket
    from collections.abc import Sequence
    from typing import Any

# The client half imports nothing beyond these (json's import pulls in re: ~8 ms; it is imported where the server
# half and the management functions need it). Messages are frames: a 4-byte length, then marshal of a dict of
# str, int, bool and lists of str (client and server share the interpreter: the fingerprint names it).

#: The commands a server runs. The others are quick already, or interactive (watch, say, preview).
SERVED = frozenset({"render", "regen"})
IDLE_S = 600.0
_OFF = {"0", "off", "no", "false"}
_MAX_REQUEST = 8 << 20
#: A Unix socket's path must fit in sockaddr_un.sun_path (108 bytes on Linux, 104 on macOS, with its NUL).
_MAX_SOCKET_PATH = 104
#: Seconds to wait for the server to take a command (it answers at once, busy or not).
_ANSWER_S = 5.0


class Paths:
    """A server's files: ``socket`` (where it listens), ``lock`` (held by the running server for its
    whole life), ``info`` (its pid and start time, for `narrate server status`)."""

    __slots__ = ("folder", "socket", "lock", "info")

    def __init__(self, folder: str, socket: str, lock: str, info: str) -> None:
        self.folder, self.socket, self.lock, self.info = folder, socket, lock, info


def enabled() -> bool:
    """Whether commands may use (and start) a server: on, unless NARRATE_SERVER says no, where the system passes descriptors."""
    if os.environ.get("NARRATE_SERVER", "1").strip().lower() in _OFF:
        return False
    return hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SCM_RIGHTS") and hasattr(os, "getuid")


def private_folder() -> str | None:
    """The folder for servers' sockets, made if missing: only if it is ours alone (else None: no server)."""
    base = os.environ.get("NARRATE_SERVER_DIR")
    if not base:
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        if xdg and os.path.isdir(xdg):
            base = os.path.join(xdg, "narrate")
        else:
            base = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"narrate-{os.getuid()}")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError:
        return None
    import stat

    # Another user could have made the folder first (in a shared /tmp): then it is not used.
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return base


def fingerprint() -> str:
    """What the code a server runs depends on: narrate's own files (their sizes and times), the
    interpreter, and the folders its packages come from (installing or removing one changes them)."""
    try:
        from _blake2 import blake2b  # hashlib's own, without loading OpenSSL (~4 ms of every command)
    except ImportError:  # pragma: no cover - an interpreter without it
        from hashlib import blake2b

    h = blake2b(digest_size=10)
    h.update(repr((sys.executable, sys.version, os.environ.get("PYTHONPATH", ""))).encode())
    package = os.path.dirname(os.path.abspath(__file__))
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".tmp")):
                continue
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            h.update(f"{os.path.relpath(path, package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    # Installing or removing a package changes its site-packages folder. Other folders on the path (a checkout an
    # editable install points at) change whenever a file is written in them: their names only. sys.path[0] is the
    # working folder (python -m) or the command's own folder: not code this depends on.
    for entry in sys.path[1:]:
        if os.path.basename(entry) in ("site-packages", "dist-packages"):
            try:
                entry = f"{entry}\0{os.stat(entry).st_mtime_ns}"
            except OSError:
                pass
        h.update(f"{entry}\n".encode())
    return h.hexdigest()


def paths(folder: str | None = None, print_: str | None = None) -> Paths | None:
    folder = folder or private_folder()
    if folder is None:
        return None
    fp = print_ or fingerprint()
    stem = os.path.join(folder, f"server-{fp}")
    if len(os.fsencode(stem)) + 5 >= _MAX_SOCKET_PATH:
        return None  # too long for a Unix socket's address (a deep NARRATE_SERVER_DIR or TMPDIR): no server
    return Paths(folder, stem + ".sock", stem + ".lock", stem + ".json")


# ---------------------------------------------------------------- the client half


class _State:
    #: Set by ``forward`` when no server answered: the command, once run here, starts one.
    start_after: Paths | None = None


def _command(argv: Sequence[str]) -> str | None:
    for word in argv:
        if word.startswith("-"):
            return None  # --debug (tracebacks here), --help, --version: run here
        return word
    return None


def forward(argv: Sequence[str]) -> int | None:
    """Run the command ``argv`` in the server: its exit code, or None to run it in this process."""
    _State.start_after = None
    if _command(argv) not in SERVED or "-h" in argv or "--help" in argv or not enabled():
        return None
    where = paths()
    if where is None:
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(where.socket)
    except OSError:
        sock.close()
        _State.start_after = where
        return None
    try:
        return _converse(sock, argv)
    except (OSError, ValueError):  # (ValueError: an environment that is not UTF-8 cannot be sent as JSON)
        return None
    except KeyboardInterrupt:  # Ctrl-C before the server took the command (it sees the socket close)
        from .errors import INTERRUPTED

        print(INTERRUPTED, file=sys.stderr)
        return 130
    finally:
        sock.close()


def _converse(sock: Any, argv: Sequence[str]) -> int | None:
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return None  # a closed stdin/stdout/stderr cannot be passed on
    umask = os.umask(0)
    os.umask(umask)
    request = {
        "argv": list(argv),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "encodings": [getattr(s, "encoding", None) for s in (sys.stdout, sys.stderr)],
    }
    payload = _frame(request)
    import array

    fds = array.array("i", [0, 1, 2]).tobytes()
    sent = sock.sendmsg([payload], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
    if sent < len(payload):
        sock.sendall(payload[sent:])
    sock.settimeout(_ANSWER_S)
    try:
        first = _reply(sock)
    except TimeoutError:
        first = None
    if first is None or "started" not in first:
        return None  # busy, declined, stuck or gone before it began: run here
    sock.settimeout(None)
    import _signal as signal  # (the C module under signal, which imports enum: ~5 ms)

    forwarded: list[int] = []

    def pass_on(signum: int, frame: Any) -> None:
        if signum == signal.SIGINT and forwarded.count(signal.SIGINT) >= 1:
            os._exit(130)  # a second Ctrl-C: leave now (the server sees the socket close and stops too)
        forwarded.append(signum)
        try:
            sock.sendall(f"S{signum}\n".encode())
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, pass_on)
    try:
        last = _reply(sock)
    except OSError:
        last = None
    if last is not None and "exit" in last:
        return int(last["exit"])
    if forwarded:
        return 128 + forwarded[0]
    print("narrate: the narrate server stopped during the command; running it here", file=sys.stderr)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
    return None


def _frame(doc: dict[str, Any]) -> bytes:
    data = marshal.dumps(doc)
    return len(data).to_bytes(4, "big") + data


def _exactly(sock: Any, n: int) -> bytes | None:
    """``n`` bytes from ``sock``; None if it ends first."""
    data = b""
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            return None
        data += more
    return data


def _reply(sock: Any) -> dict[str, Any] | None:
    """The next frame from ``sock`` (None: the socket ended, or the frame is not a dict)."""
    head = _exactly(sock, 4)
    if head is None:
        return None
    size = int.from_bytes(head, "big")
    body = _exactly(sock, size) if size <= _MAX_REQUEST else None
    if body is None:
        return None
    try:
        doc = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    return doc if isinstance(doc, dict) else None


def start_if_wanted() -> None:
    """After a command ran here because no server answered: start one in the background for the next."""
    where = _State.start_after
    _State.start_after = None
    if where is None or _held(where.lock):
        return
    spawn(where)


def spawn(where: Paths) -> Any:
    """Start a server for ``where`` as its own session, detached from this terminal and these pipes."""
    import subprocess

    return subprocess.Popen(
        [sys.executable, "-m", "narrate.server", "--folder", where.folder, "--socket", where.socket, "--lock", where.lock,
         "--info", where.info],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, cwd="/",
    )


def _held(lock: str) -> bool:
    """Whether a server holds ``lock`` (it is running, perhaps still starting)."""
    import fcntl

    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return True  # cannot tell: do not start another
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # (closing releases a lock we took)
    return False


# ---------------------------------------------------------------- the server half


class Server:
    """Accepts commands on a socket and runs them one at a time in this process."""

    def __init__(self, where: Paths, idle_s: float) -> None:
        import queue
        import threading

        self.where = where
        self.idle_s = idle_s
        self.requests: queue.Queue[tuple[socket.socket, dict[str, Any], list[int]] | None] = queue.Queue()
        self.lock = threading.Lock()
        self.main_ident = threading.get_ident()
        self.active: socket.socket | None = None  # the connection of the command handed over or running (None: idle)
        self.cancellable = False  # the command runs: an interruption may land in it
        self.pending = False  # an interruption came before the command began
        self.requested = False  # an interruption is asked for and has not landed yet
        self.sent_at = 0.0  # when SIGINT was last sent for it (time.monotonic)
        self.gone = False  # the client's socket closed
        self.swapped = False  # fds 0-2 are the client's
        self.stopping = False
        self.served = 0

    # -- start and stop

    def run(self) -> int:
        import fcntl
        import signal
        import socket
        import threading

        lock_fd = os.open(self.where.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return 0  # another server for this fingerprint runs (or starts)
        signal.signal(signal.SIGINT, self._on_interrupt)
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        # Listed from now on, warming up included: a `narrate server stop` right after the render that started it
        # stops it too (SIGTERM ends it once warm, before it takes a command).
        self.started = _now()
        self._write_info()
        from . import atomic

        atomic.free_in_thread = True  # this process outlives each render: free replaced tracks in a thread
        _warm_up()
        _settle_heap()
        with _suppress_os():
            os.unlink(self.where.socket)  # a dead server's socket (we hold the lock: no live one uses it)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.where.socket)
        os.chmod(self.where.socket, 0o600)
        listener.listen(16)
        me = os.stat(self.where.socket).st_ino
        threading.Thread(target=self._io, args=(listener,), daemon=True, name="narrate-server-io").start()
        try:
            self._loop()
        finally:
            with _suppress_os():
                if os.stat(self.where.socket).st_ino == me:
                    os.unlink(self.where.socket)
            for name in (self.where.info, self.where.lock):
                with _suppress_os():
                    os.unlink(name)
            listener.close()
            os.close(lock_fd)
        return 0

    def _write_info(self) -> None:
        import json
        from pathlib import Path

        from . import atomic

        doc = {"pid": os.getpid(), "started": self.started, "socket": self.where.socket, "served": self.served}
        with _suppress_os():
            atomic.write_text(Path(self.where.info), json.dumps(doc))

    def _on_stop(self, signum: int, frame: Any) -> None:
        import threading

        self.stopping = True
        # Ends the loop once the running command (if any) is done. Put from a thread: this handler may run while
        # this thread holds the queue's lock (inside get), and the lock is not reentrant.
        threading.Thread(target=self.requests.put, args=(None,), daemon=True).start()

    def _loop(self) -> None:
        import queue

        while not self.stopping:
            try:
                item = self.requests.get(timeout=self.idle_s)
            except queue.Empty:
                with self.lock:
                    if self.active is not None:
                        continue  # a command was handed over as the wait ran out
                    self.stopping = True  # from here on, connections are turned away
                break
            if item is None:
                break
            try:
                self._handle(*item)
            except KeyboardInterrupt:  # (cannot happen: interruptions land in the command; kept as a guard)
                pass

    # -- the io thread: accept, read requests, watch the running command's client

    def _io(self, listener: socket.socket) -> None:
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(listener, selectors.EVENT_READ, None)
        while True:
            try:
                for key, _ in sel.select(timeout=0.02 if self.requested else 1.0):
                    if key.data is None:
                        self._accept(listener, sel)
                    else:
                        self._watch(key.fileobj, sel)  # type: ignore[arg-type]
                self._insist()
            except Exception:  # noqa: BLE001 - this thread must go on (a client it dropped runs its command itself)
                import time

                time.sleep(0.01)

    def _accept(self, listener: socket.socket, sel: Any) -> None:
        import selectors

        try:
            conn, _ = listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            if not _same_user(conn):
                conn.close()
                return
            conn.settimeout(10.0)
            request, fds = _read_request(conn)
            conn.settimeout(None)
            reason = self._decline(request)
            with self.lock:
                if reason is None and (self.active is not None or self.stopping):
                    reason = "busy"
                if reason is None:
                    self.active, self.gone, self.pending = conn, False, False
            if reason is not None:
                conn.sendall(_frame({"declined": reason}))
                _close_all(fds)
                conn.close()
                return
        except (OSError, ValueError):
            _close_all(fds)
            conn.close()
            return
        sel.register(conn, selectors.EVENT_READ, "client")
        self.requests.put((conn, request, fds))

    def _decline(self, request: dict[str, Any]) -> str | None:
        """Why this process cannot run ``request`` as the client would (None: it can)."""
        if _command(request.get("argv", [])) not in SERVED:
            return "not a served command"
        if request.get("encodings") != [sys.stdout.encoding, sys.stderr.encoding]:
            return "another text encoding"
        if not os.path.isdir(request.get("cwd", "")):
            return "no working folder"
        return None

    def _watch(self, conn: socket.socket, sel: Any) -> None:
        try:
            data = conn.recv(256)
        except OSError:
            data = b""
        if not data:  # the client closed its end (done, or killed), or the command ended and this end was shut
            sel.unregister(conn)
            self._interrupt(conn, gone=True)
            conn.close()
            return
        if data.startswith(b"S"):
            self._interrupt(conn, gone=False)

    def _interrupt(self, conn: socket.socket, gone: bool) -> None:
        """The client asked to stop (a signal), or went away: interrupt the command as Ctrl-C would."""
        with self.lock:
            if conn is not self.active:
                return  # a finished command's socket
            if gone:
                self.gone = True
                if self.swapped:  # nobody reads the client's terminal now: the interruption's message goes nowhere
                    devnull = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(devnull, fd)
                    os.close(devnull)
            if self.cancellable:
                self._send_interrupt()
            else:
                self.pending = True

    def _send_interrupt(self) -> None:
        import signal
        import time

        self.requested = True
        self.sent_at = time.monotonic()
        signal.pthread_kill(self.main_ident, signal.SIGINT)

    def _insist(self) -> None:
        """An interruption that landed where it was dropped (inside an engine's C callback, whose exceptions
        ctypes swallows) would leave the command running: if it still runs 2 s after one, interrupt it again."""
        import time

        with self.lock:
            if self.cancellable and self.sent_at and time.monotonic() - self.sent_at > (0.01 if self.requested else 2.0):
                self._send_interrupt()

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        if self.cancellable and self.requested:
            from .interrupt import in_callback

            if in_callback(frame):
                self.sent_at = 1.0  # not here: the io thread sends it again in a moment
                return
            self.requested = False  # one interruption per request
            raise KeyboardInterrupt

    # -- running one command

    def _handle(self, conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
        from . import later

        saved = _Context.save()
        rc = 130
        with later.collecting() as pending:
            try:
                try:
                    with self.lock:
                        gone = self.gone
                        if not gone:
                            _Context(fds, request["env"], request["cwd"], int(request["umask"]), ["narrate", *request["argv"]]).apply()
                            self.swapped = True
                except OSError:  # its working folder went: the first answer is not "started", so the client runs it
                    gone = True
                _close_all(fds)
                if not gone:
                    _send(conn, {"started": True})
                    rc = self._run_interruptibly(request["argv"])
            finally:
                with self.lock:
                    self.swapped = False
                    saved.apply_streams()  # the command's streams closed here: whoever reads them sees their end
                    self.active = None
                self.served += 1
                self._write_info()
                _send(conn, {"exit": rc})
                with _suppress_os():
                    conn.shutdown(2)  # SHUT_RDWR: the io thread then sees the end and closes it
                try:
                    pending.run()  # the command's bookkeeping (narrate.later), in its folder and environment still
                finally:
                    saved.restore()
                    _settle_heap()

    def _run_interruptibly(self, argv: list[str]) -> int:
        """The command's exit code; an interruption lands only inside it (the handler clears ``cancellable``
        before it raises, and any raise that slips past the command's own handlers is caught here)."""
        rc = 130
        try:
            try:
                with self.lock:
                    self.cancellable = not self.pending
                    interrupted = self.pending
                    self.requested, self.sent_at = False, 0.0
                rc = _run(argv, interrupted)
            finally:
                self.cancellable = False
        except KeyboardInterrupt:
            pass
        return rc


def _settle_heap() -> None:
    """Between commands (the client has its answer): collect now, then freeze what survives.

    What a server keeps (modules, compiled rules, the cache's metadata) is a large heap, and a full
    collection that fell inside a command walked all of it (37 ms of a 0.1 s re-render, measured). Frozen
    objects are left out of later collections; they are still freed when nothing refers to them.
    """
    import gc

    gc.collect()
    gc.freeze()


def _run(argv: list[str], interrupted: bool) -> int:
    """``narrate ARGV`` here, as its own process would run it; its exit code."""
    from .cli import main
    from .errors import INTERRUPTED

    try:
        if interrupted:
            raise KeyboardInterrupt
        return main(argv)
    except KeyboardInterrupt:  # before main's own handler could take it
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except SystemExit as exc:  # argparse: usage errors, --help
        if exc.code is None or isinstance(exc.code, int):
            return int(exc.code or 0)
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:  # as an uncaught error in its own process: the traceback, exit 1
        import traceback

        traceback.print_exc()
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with _suppress_os():
                stream.flush()


class _Context:
    """The process-wide state a command runs in: fds 0-2, environment, working folder, umask, argv."""

    def __init__(self, fds: list[int], env: dict[str, str], cwd: str, umask: int, argv: list[str]) -> None:
        self.fds, self.env, self.cwd, self.umask, self.argv = fds, env, cwd, umask, argv

    @classmethod
    def save(cls) -> _Context:
        umask = os.umask(0)
        os.umask(umask)
        return cls([os.dup(fd) for fd in (0, 1, 2)], dict(os.environ), os.getcwd(), umask, list(sys.argv))

    def apply(self) -> None:
        """Make this the process's state (what was written so far goes out through the old fds first)."""
        self.apply_streams()
        _set_environ(self.env)
        os.chdir(self.cwd)
        os.umask(self.umask)
        sys.argv = self.argv

    def apply_streams(self) -> None:
        """Only fds 0-2 of this state (what was written so far goes out through the old fds first)."""
        for stream in (sys.stdout, sys.stderr):
            with _suppress_os():
                stream.flush()
        for target, fd in zip((0, 1, 2), self.fds):
            os.dup2(fd, target)

    def restore(self) -> None:
        """Back to a state ``save`` took; its copies of fds 0-2 are closed."""
        self.apply()
        _close_all(self.fds)


def _set_environ(env: dict[str, str]) -> None:
    tz = os.environ.get("TZ")
    for name in [n for n in os.environ if n not in env]:
        del os.environ[name]
    for name, value in env.items():
        if os.environ.get(name) != value:
            os.environ[name] = value
    if os.environ.get("TZ") != tz:
        import time

        time.tzset()


def _read_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    import socket

    data, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)  # the frame's length, with the descriptors
    if len(fds) != 3:
        _close_all(fds)
        raise ValueError("a request passes stdin, stdout and stderr")
    try:
        rest = _exactly(conn, 4 - len(data)) if len(data) < 4 else b""
        if rest is None:
            raise ValueError("short request")
        size = int.from_bytes(data + rest, "big")
        body = _exactly(conn, size) if size <= _MAX_REQUEST else None
        if body is None:
            raise ValueError("short or too large a request")
        try:
            request = marshal.loads(body)
        except (EOFError, TypeError) as exc:
            raise ValueError("malformed request") from exc
        if not isinstance(request, dict) or not isinstance(request.get("argv"), list) or not isinstance(request.get("env"), dict):
            raise ValueError("malformed request")
    except BaseException:
        _close_all(fds)
        raise
    return request, fds


def _same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as this user (Linux: SO_PEERCRED; elsewhere the folder's mode decides)."""
    import socket
    import struct

    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _send(conn: socket.socket, doc: dict[str, Any]) -> None:
    with _suppress_os():
        conn.sendall(_frame(doc))


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        with _suppress_os():
            os.close(fd)
    fds.clear()


def _suppress_os() -> Any:
    import contextlib

    return contextlib.suppress(OSError)


def _now() -> float:
    import time

    return time.time()


#: A short script with what a real one has (a credit, acronyms, numbers, an appeal): planning it once
#: compiles the script reader's and normalizer's rules before the first command needs them.
_WARM_SCRIPT = """Voiceover by A. Writer.

The ISF said on 17 Tamouz that 9% of the PMU's $5m budget moved 90km north, the U.S. said. It was 3:15 p.m.

Please donate to support our work at example.org.
"""


def _warm_up() -> None:
    """Import and prepare what a render needs (never failing: the commands will meet any problem themselves)."""
    import contextlib
    import importlib
    import tempfile
    from pathlib import Path

    with contextlib.suppress(Exception):
        for name in sorted(SERVED):
            importlib.import_module(f"narrate.cli.cmd_{name}")
        for name in ("render", "stitch", "splice", "loudness", "limiter", "encode", "subtitles"):
            importlib.import_module(f"narrate.{name}")
        for name in ("rich.console", "rich.progress", "rich.table"):  # the progress bar and summary
            importlib.import_module(name)

    with contextlib.suppress(Exception):
        # multiprocessing's resource tracker outlives the render whose worker pool starts it: started here, it holds
        # this process's /dev/null, not the stdout and stderr of the first command to use a pool (whose reader would
        # then wait for their end as long as the server runs).
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()

    with contextlib.suppress(Exception):
        from .synth import use_forkserver

        use_forkserver()  # each command's workers are forked, with the imports made: ready 0.2 s sooner

    with contextlib.suppress(Exception), tempfile.TemporaryDirectory(prefix="narrate-warm-") as folder:
        from .plan import Voices, build_plan
        from .synth import engine_version

        script = Path(folder) / "warm.txt"
        script.write_text(_WARM_SCRIPT, encoding="utf-8")
        voices = Voices(Path(folder))
        build_plan(script, voices=voices)
        engine_version(voices.get("default").engine)  # the engine starts here once, not in the first command


# ---------------------------------------------------------------- managing servers


def running(folder: str | None = None) -> list[dict[str, Any]]:
    """This user's running servers: pid, start time, socket (from their info files)."""
    import glob
    import json

    folder = folder or private_folder()
    if folder is None:
        return []
    current = paths(folder)
    found = []
    for info in sorted(glob.glob(os.path.join(folder, "server-*.json"))):
        lock = info[: -len(".json")] + ".lock"
        try:
            with open(info, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        if _held(lock):
            doc["current"] = current is not None and info == current.info
            found.append(doc)
    return found


def stop_all(folder: str | None = None, timeout_s: float = 10.0) -> int:
    """Ask every running server of this user to stop (each ends its command first); how many were asked."""
    import signal
    import time

    servers = running(folder)
    for doc in servers:
        with _suppress_os():
            os.kill(int(doc["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and running(folder):
        time.sleep(0.02)
    return len(servers)


def start(wait_s: float = 30.0) -> dict[str, Any] | None:
    """Start this installation's server if none runs and wait until it answers; its info (None: servers are off)."""
    import json
    import time

    if not enabled():
        return None
    where = paths()
    if where is None:
        return None
    if not _held(where.lock):
        spawn(where)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if os.path.exists(where.info) and _answers(where.socket):
            with open(where.info, encoding="utf-8") as f:
                doc: dict[str, Any] = json.load(f)
            return doc
        time.sleep(0.02)
    return None


def _answers(path: str) -> bool:
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
        return True
    except OSError:
        return False
    finally:
        sock.close()


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m narrate.server", description="run a narrate server (started by narrate itself)")
    ap.add_argument("--folder", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--lock", required=True)
    ap.add_argument("--info", required=True)
    args = ap.parse_args(argv)
    try:
        idle = float(os.environ.get("NARRATE_SERVER_IDLE", IDLE_S))
    except ValueError:
        idle = IDLE_S
    return Server(Paths(args.folder, args.socket, args.lock, args.info), max(idle, 1.0)).run()


if __name__ == "__main__":  # (spawned worker processes import this module as __mp_main__: nothing runs then)
    sys.exit(main())
