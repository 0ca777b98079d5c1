"""Real servers on 127.0.0.1 for the notification tests (no tests here): an SMTP server (aiosmtpd)
whose messages the tests read back, and an HTTP server that records webhook JSON. Both can be
stopped and started again on the same port. `loopback_only` refuses any connection elsewhere."""

from __future__ import annotations

import email
import email.policy
import ipaddress
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def loopback_only(monkeypatch) -> None:
    """Make any socket connection to an address off this machine fail (no test reaches the internet)."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None:
            try:
                loop = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loop = host == "localhost"
            if not loop:
                raise OSError(f"test refused a connection to {host}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.messages: list[dict] = []
        self._controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                                  policy=email.policy.default)
                server.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed})
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m["message"] for m in self.messages if address in m["to"]]


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def attachments_of(message) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True)) for part in message.iter_attachments()]


class WebhookServer:
    def __init__(self):
        self.port = free_port()
        self.posts: list[dict] = []
        self._server = None

    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.posts.append({"path": self.path, "json": json.loads(body.decode("utf-8"))})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
