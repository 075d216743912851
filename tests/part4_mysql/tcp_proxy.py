"""A small TCP relay that stands between the app and MySQL in the tests.

It listens on 127.0.0.1 and forwards every connection to the real server, so
a test can play the network's part without touching the shared server:

- `cut()`: the server is gone. Open connections are reset and new ones are
  refused, as when MySQL stops or restarts.
- `stall()`: the network drops everything. Connections open, but no byte
  gets through in either direction, as in a partition or a frozen host.
- `slow(seconds)`: every chunk of data is held back this long on its way.
- `restore()`: back to normal, on the same port.
"""

import socket
import threading
import time
from contextlib import suppress
from types import TracebackType


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.latency_s = 0.0
        self._stalled = False
        self._closed = False
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._listener: socket.socket | None = self._listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.settimeout(0.05)  # so the loop notices cut() and close()
        return listener

    def _accept_loop(self) -> None:
        while not self._closed:
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except OSError:  # a time-out, or the listener was closed by cut()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
            with self._lock:
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self._stalled and not self._closed:
                    time.sleep(0.02)
                if self.latency_s:
                    time.sleep(self.latency_s)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._connections.discard(sock)
            # shutdown() first: close() alone neither wakes a thread blocked in
            # recv() on the socket nor tells the other end. OSError: the pump
            # of the other direction got there first.
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections = list(self._connections)
        if listener is not None:
            # shutdown() stops the listening at once; close() alone would
            # leave the port taken until the acceptor's wait on it returns,
            # and a quick restore() could not bind it again.
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self._drop(*connections)

    def stall(self) -> None:
        self._stalled = True

    def slow(self, seconds: float) -> None:
        self.latency_s = seconds

    def restore(self) -> None:
        self._stalled = False
        self.latency_s = 0.0
        with self._lock:
            if self._listener is None:
                self._listener = self._listen(self.port)

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._acceptor.join(timeout=5)

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
