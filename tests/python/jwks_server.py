"""A JWKS server the remote key set tests control: a real HTTP server on 127.0.0.1 (a thread) that
counts every request and answers as the test says at that moment: a key set, a status, HTML, a
delay, a large body with or without Content-Length, a redirect, a reset connection, a body that
stops halfway."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional


class JwksServer:
    def __init__(self, jwks: Optional[Dict[str, Any]] = None) -> None:
        self.behaviour: Dict[str, Any] = {"jwks": jwks or {"keys": []}}
        self.requests: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with server._lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers), "at": time.time()})
                    b = dict(server.behaviour)
                if b.get("delay"):
                    time.sleep(b["delay"])
                if b.get("reset"):
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                status = b.get("status", 200)
                if "size" in b:
                    keys = json.dumps(b["jwks"]["keys"])
                    head = '{"keys":' + keys
                    body = (head + " " * (b["size"] - len(head) - 1) + "}").encode()
                elif "body" in b:
                    body = b["body"].encode()
                else:
                    body = json.dumps(b["jwks"]).encode()
                self.send_response(status)
                self.send_header("content-type", b.get("content_type", "application/json"))
                for name, value in b.get("headers", {}).items():
                    self.send_header(name, value)
                if "location" in b:
                    self.send_header("location", b["location"])
                if b.get("stall"):
                    # The full Content-Length, half the body, then nothing until the client gives up.
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(b["stall"])
                    self.close_connection = True
                    return
                if b.get("chunked"):
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(body), 65536):
                        chunk = body[start : start + 65536]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (timeouts, stalls) is part of the tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/auth/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def set(self, **behaviour: Any) -> None:
        with self._lock:
            self.behaviour = {"jwks": self.behaviour.get("jwks", {"keys": []}), **behaviour}

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
