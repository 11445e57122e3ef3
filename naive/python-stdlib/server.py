"""A media-provider provisioning server as a Python developer would write it from the vendor page with
no third-party package: http.server's threading server, json, the providers in a dict behind a lock."""
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

PORT = int(os.environ.get("PORT", "8000"))
# BOTS=bot-a:token-a,bot-b:token-b
BOTS = dict(pair.split(":", 1) for pair in os.environ.get("BOTS", "").split(",") if ":" in pair)

PATH = re.compile(r"^/whatsapp/v1/([^/]+)/provision/provider$")

providers = {}  # bot id -> {name: provider}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_empty(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def bot(self):
        """The bot id of the path when the caller is that bot, else None (an answer has been sent)."""
        match = PATH.match(urlparse(self.path).path)
        if not match:
            self.send_json(404, {"message": "Not found", "reason": "unknown path"})
            return None
        bot_id = match.group(1)
        token = BOTS.get(bot_id)
        if token is None or self.headers.get("Authorization") != f"Bearer {token}":
            self.send_json(401, {"message": "Unauthorized", "reason": "invalid credentials for this bot"})
            return None
        return bot_id

    def do_GET(self):
        bot_id = self.bot()
        if bot_id is None:
            return
        with lock:
            listed = list(providers.get(bot_id, {}).values())
        self.send_json(200, {"settings": {"application": {"media": {"providers": listed}}}})

    def do_POST(self):
        bot_id = self.bot()
        if bot_id is None:
            return
        length = int(self.headers.get("Content-Length", 0))
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            return self.send_json(400, {"message": "Bad request", "reason": "body is not JSON"})
        if not isinstance(body, dict):
            return self.send_json(400, {"message": "Bad request", "reason": "body must be an object"})
        name, type_, config = body.get("name"), body.get("type"), body.get("config")
        if not name or not type_ or not config:
            return self.send_json(400, {"message": "Bad request", "reason": "name, type and config are required"})
        if type_ != "www":
            return self.send_json(400, {"message": "Bad request", "reason": "type must be www"})
        if "basic" in config:
            basic = config["basic"]
            if not basic.get("username") or not basic.get("password"):
                return self.send_json(400, {"message": "Bad request", "reason": "basic needs username and password"})
        elif not config.get("bearer"):
            return self.send_json(400, {"message": "Bad request", "reason": "config needs basic or bearer"})
        with lock:
            # Reusing a name overwrites the previous entry.
            providers.setdefault(bot_id, {})[name] = {"name": name, "type": type_, "config": config}
        self.send_empty()

    def do_DELETE(self):
        bot_id = self.bot()
        if bot_id is None:
            return
        with lock:
            providers.pop(bot_id, None)
        self.send_empty()


if __name__ == "__main__":
    print(f"listening on http://127.0.0.1:{PORT}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
