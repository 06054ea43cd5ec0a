"""Lead images for the demo stories, drawn with Pillow.

Each picture is an abstract map: a sea-coloured ground, a few smooth "landmasses", a
graticule, a route between city dots and the region's name. Everything is derived from a
seed string (the story's slug), so the same story always gets the same picture.
"""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

SIZE = (1920, 1080)

# (sea, land, accent) per region slug; anything else falls back to the first.
PALETTES = {
    "post-soviet-region": ((32, 52, 84), (196, 178, 140), (214, 69, 65)),
    "south-caucasus": ((24, 70, 82), (168, 190, 126), (242, 160, 48)),
    "central-asia": ((58, 88, 120), (224, 196, 128), (226, 84, 60)),
    "middle-east": ((20, 60, 96), (232, 206, 158), (200, 80, 40)),
    "europe": ((28, 46, 96), (170, 196, 170), (250, 204, 60)),
}


def draw_lead_image(seed: str, region_slug: str, label: str) -> bytes:
    """Return a JPEG of an abstract map for *seed*, captioned with *label*."""
    rng = random.Random(seed)
    sea, land, accent = PALETTES.get(region_slug, next(iter(PALETTES.values())))
    width, height = SIZE
    image = Image.new("RGB", SIZE, sea)
    draw = ImageDraw.Draw(image)

    _draw_sea_gradient(draw, sea)
    for _ in range(rng.randint(3, 5)):
        centre = (rng.uniform(0.1, 0.9) * width, rng.uniform(0.15, 0.85) * height)
        radius = rng.uniform(0.12, 0.3) * height * (width / height) ** 0.5
        shade = tuple(min(255, max(0, channel + rng.randint(-18, 18))) for channel in land)
        outline = tuple(max(0, channel - 50) for channel in shade)
        draw.polygon(_blob(rng, centre, radius), fill=shade, outline=outline, width=3)
    _draw_graticule(draw, sea)

    cities = [(rng.uniform(0.12, 0.88) * width, rng.uniform(0.15, 0.7) * height) for _ in range(5)]
    cities.sort()
    draw.line(cities, fill=accent, width=6, joint="curve")
    for x, y in cities:
        draw.ellipse(
            (x - 14, y - 14, x + 14, y + 14), fill=(255, 255, 255), outline=accent, width=6
        )

    _draw_label(draw, label, accent)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _blob(rng: random.Random, centre: tuple[float, float], radius: float) -> list[tuple]:
    """Return a smooth closed outline: a circle bent by a few random waves."""
    # Low frequencies shape the mass, high ones with small amplitudes make the coastline.
    waves = [(k, rng.uniform(0, math.tau), rng.uniform(0.2, 0.6) / k**1.3) for k in range(2, 14)]
    points = []
    for step in range(180):
        angle = math.tau * step / 180
        scale = 1 + sum(amplitude * math.sin(k * angle + phase) for k, phase, amplitude in waves)
        points.append(
            (
                centre[0] + radius * scale * math.cos(angle),
                centre[1] + radius * scale * math.sin(angle),
            )
        )
    return points


def _draw_sea_gradient(draw: ImageDraw.ImageDraw, sea: tuple[int, int, int]) -> None:
    width, height = SIZE
    for y in range(0, height, 6):
        lift = int(30 * y / height)
        draw.rectangle((0, y, width, y + 6), fill=tuple(min(255, c + lift) for c in sea))


def _draw_graticule(draw: ImageDraw.ImageDraw, sea: tuple[int, int, int]) -> None:
    width, height = SIZE
    line = tuple(min(255, c + 60) for c in sea)
    for x in range(0, width, 160):
        draw.line((x, 0, x + 60, height), fill=line, width=1)
    for y in range(0, height, 150):
        draw.line((0, y, width, y - 30), fill=line, width=1)


def _draw_label(draw: ImageDraw.ImageDraw, label: str, accent: tuple[int, int, int]) -> None:
    width, height = SIZE
    font = ImageFont.load_default(size=72)
    band_top = height - 150
    draw.rectangle((0, band_top, width, height), fill=(12, 18, 30))
    draw.rectangle((0, band_top, 24, height), fill=accent)
    draw.text((64, band_top + 38), label.upper(), font=font, fill=(245, 245, 240))
