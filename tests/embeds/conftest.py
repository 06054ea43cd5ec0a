from collections.abc import Iterator

import pytest

from tests.embeds.oembed_server import OEmbedServer, answering


@pytest.fixture
def oembed_server() -> Iterator[OEmbedServer]:
    """Start a local oEmbed server of this test's own (there is no network here)."""
    server = OEmbedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def providers(oembed_server) -> Iterator[OEmbedServer]:
    """Point the providers at the local server's well-behaved answers."""
    with answering(oembed_server):
        yield oembed_server
