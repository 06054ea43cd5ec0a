"""A provider's oEmbed endpoint on 127.0.0.1, for the real fetching code to talk to.

Each path behaves as one kind of provider does: ``/youtube`` answers like YouTube, ``/down``
is a 500, ``/slow`` answers after SLOW_SECONDS... Tests point providers at a path through
``NEWSROOM_OEMBED_ENDPOINTS`` and count what was asked in ``requests``.
"""

import contextlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.test import override_settings
from PIL import Image

VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_TITLE = "Talks in Almaty, the night before the vote"
TWEET_ID = "1790000000000000000"
# Longer than the timeout the slow-provider test sets, short enough to keep the suite quick.
SLOW_SECONDS = 1.5
MEGABYTE = 1024 * 1024


def thumbnail_jpeg() -> bytes:
    """Return a 480×360 JPEG, the shape of YouTube's hqdefault.jpg."""
    buffer = io.BytesIO()
    Image.new("RGB", (480, 360), (40, 90, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


class OEmbedServer:
    def __init__(self):
        self.requests: list[str] = []
        self.thumbnail = thumbnail_jpeg()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                # The client may have given up first, as the timeout tests intend.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self, urlsplit(self.path).path.strip("/"))

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A slow answer still being written must not hold up the end of a test.
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.origin}/{path}"

    def start(self) -> "OEmbedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def asked(self, path: str) -> list[dict[str, list[str]]]:
        """Return the query of each request made to *path*, in order."""
        return [
            parse_qs(urlsplit(request).query)
            for request in self.requests
            if urlsplit(request).path.strip("/") == path
        ]

    # What each path answers -------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        if path == "thumbnail.jpg":
            return send(handler, 200, self.thumbnail, "image/jpeg")
        if path == "not-a-picture.jpg":
            return send(handler, 200, b"<html><script>alert(1)</script></html>", "image/jpeg")
        if path == "down":
            return send(handler, 500, b"Internal Server Error", "text/plain")
        if path == "slow":
            time.sleep(SLOW_SECONDS)
            return self.send_json(handler, self.video())
        if path == "huge":
            return send(handler, 200, b" " * MEGABYTE + b"{}", "application/json")
        if path == "huge-unannounced":
            # No Content-Length: only reading stops it.
            return send(handler, 200, b" " * MEGABYTE + b"{}", "application/json", length=False)
        if path == "not-json":
            return send(handler, 200, b"<!doctype html><title>Sign in</title>", "text/html")
        if path == "trickle-headers":
            # Headers one line at a time, each within a socket timeout, never ending.
            handler.send_response(200)
            for number in range(int(SLOW_SECONDS * 10)):
                handler.send_header(f"X-Slow-{number}", "1")
                handler.wfile.flush()
                time.sleep(0.2)
            handler.end_headers()
            return None
        if path == "redirect-elsewhere":
            handler.send_response(302)
            handler.send_header("Location", self.url("youtube").replace("127.0.0.1", "localhost"))
            handler.end_headers()
            return None
        answers = {
            "youtube": self.video,
            "link-only": lambda: {"type": "link", "version": "1.0", "title": "A page"},
            "vimeo": lambda: self.player("https://player.vimeo.com/video/76979871?h=8272103f6e"),
            "foreign-iframe": lambda: self.player("https://evil.example/player/76979871"),
            "datawrapper": lambda: self.player("https://datawrapper.dwcdn.net/Ab3Cd/1/"),
            "tweet": self.tweet,
            "thumbnail-elsewhere": lambda: self.video(
                thumbnail_url="https://evil.example/hqdefault.jpg"
            ),
            "thumbnail-not-a-picture": lambda: self.video(
                thumbnail_url=self.url("not-a-picture.jpg")
            ),
            # What a hostile or broken provider might send.
            "infinite-size": lambda: self.video(width=float("inf"), height=10**30),
            "unprintable-title": lambda: self.video(title="Polls\x00 close\ud800\x01\uffff at 8"),
            "bad-port-thumbnail": lambda: self.video(thumbnail_url="https://i.ytimg.com:99999/x"),
            "shouting-player": lambda: self.player("HTTPS://DATAWRAPPER.DWCDN.NET/Ab3Cd/1/"),
        }
        if path in answers:
            return self.send_json(handler, answers[path]())
        return send(handler, 404, b"Not Found", "text/plain")

    def send_json(self, handler: BaseHTTPRequestHandler, data: dict) -> None:
        send(handler, 200, json.dumps(data).encode(), "application/json")

    def video(self, **overrides) -> dict:
        """Return what YouTube answers for a video (its html points at youtube.com)."""
        return {
            "type": "video",
            "version": "1.0",
            "title": VIDEO_TITLE,
            "author_name": "Newsroom Video",
            "provider_name": "YouTube",
            "width": 1280,
            "height": 720,
            "thumbnail_url": self.url("thumbnail.jpg"),
            "thumbnail_width": 480,
            "thumbnail_height": 360,
            "html": f'<iframe width="1280" height="720" src="https://www.youtube.com/embed/'
            f'{VIDEO_ID}?feature=oembed" frameborder="0" allowfullscreen></iframe>',
            **overrides,
        }

    def player(self, src: str) -> dict:
        return {
            "type": "rich",
            "version": "1.0",
            "title": "Turnout by region",
            "width": 640,
            "height": 480,
            "html": f'<iframe title="Turnout" src="{src}" width="640" height="480"></iframe>',
        }

    def tweet(self) -> dict:
        return {
            "type": "rich",
            "version": "1.0",
            "author_name": "Newsroom",
            "width": 550,
            "height": None,
            "html": '<blockquote class="twitter-tweet"><p>Polls are closed.</p></blockquote>'
            '<script async src="https://platform.twitter.com/widgets.js"></script>',
        }


def send(handler, status: int, body: bytes, content_type: str, length: bool = True) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# Which path of the server answers for each provider when all is well.
GOOD_ANSWERS = {
    "youtube": "youtube",
    "vimeo": "vimeo",
    "x": "tweet",
    "datawrapper": "datawrapper",
}


def answering(server: OEmbedServer, **paths: str) -> override_settings:
    """Return settings that send each provider's oEmbed requests to the server's *paths*."""
    endpoints = {key: server.url(path) for key, path in {**GOOD_ANSWERS, **paths}.items()}
    return override_settings(NEWSROOM_OEMBED_ENDPOINTS=endpoints)
