"""A loopback SMS gateway for the demo: answers as the notifier's eSMS-shaped gateway does and keeps
every message it gets as a JSON file in `.run/sms/` (the API key is not kept). Nothing leaves the
machine."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bdhvs_local.ports import free_port


class LoopbackSmsGateway:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def start(self) -> LoopbackSmsGateway:
        self.directory.mkdir(parents=True, exist_ok=True)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                number = gateway.keep(json.loads(body or b"{}"))
                answer = json.dumps({"CodeResult": "100", "SMSID": f"demo-{number}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def keep(self, message: dict[str, Any]) -> int:
        message.pop("ApiKey", None)
        message.pop("SecretKey", None)
        with self._lock:
            number = len(list(self.directory.glob("*.json"))) + 1
            path = self.directory / f"{number}.json"
            path.write_text(json.dumps(message, ensure_ascii=False, indent=2))
        return number

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
