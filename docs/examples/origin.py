# A small origin to put behind CacheLayer.Gateway: every GET is fresh for 60 s and carries an ETag;
# PUT or POST replaces the body at its path. Listens on 127.0.0.1:8000, the gateway's default origin.
import hashlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

bodies = {}  # path -> bytes

class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = bodies.get(self.path, f"hello from {self.path}\n".encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        fresh = self.headers.get("If-None-Match") == etag  # a conditional request the client's copy answers
        self.send_response(304 if fresh else 200)
        self.send_header("Cache-Control", "max-age=60")
        self.send_header("ETag", etag)
        if not fresh:
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not fresh:
            self.wfile.write(body)

    def do_PUT(self):
        bodies[self.path] = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT

ThreadingHTTPServer(("127.0.0.1", 8000), Origin).serve_forever()
