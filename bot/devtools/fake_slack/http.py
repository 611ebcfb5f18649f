"""The HTTP side: a threading server on a local port and the request handler that passes every
request to the fake."""

from __future__ import annotations

import socket
import socketserver
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


class Backend(Protocol):
    """What the server serves: `FakeSlack`."""

    def handle_request(self, request: RequestHandler) -> None: ...

    def track_connection(self, conn: socket.socket, *, add: bool) -> None: ...


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections under concurrent load, and the
    # client only retransmits its SYN a second later.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handler: type[RequestHandler], backend: Backend
    ) -> None:
        self.backend = backend
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else bytes(host).decode()
        self.server_port = port

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Dropped connections and failed TLS handshakes are the client's business; staying
        # quiet keeps test output clean.
        return


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    timeout = 60
    server: Server

    def setup(self) -> None:
        # The TLS handshake is done here, in the request's own thread, so a slow or failing
        # client cannot stall the accept loop.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        self.server.backend.track_connection(self.request, add=True)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.backend.track_connection(self.request, add=False)

    def do_POST(self) -> None:
        self.server.backend.handle_request(self)

    def do_GET(self) -> None:
        self.server.backend.handle_request(self)

    def reply(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return
