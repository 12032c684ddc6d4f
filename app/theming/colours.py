"""Colour arithmetic for themes: WCAG 2.1 relative luminance and contrast, and mixing."""

from __future__ import annotations

import re

HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
Rgb = tuple[float, float, float]


def parse_hex(colour: str) -> Rgb:
    match = HEX.match(colour.strip())
    if not match:
        raise ValueError(f"not a #rgb or #rrggbb colour: {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(rgb: Rgb) -> float:
    """WCAG 2.1 relative luminance."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: Rgb, second: Rgb) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: Rgb, other: Rgb, share: float) -> Rgb:
    """``colour`` with ``share`` (0 to 1) of ``other`` mixed in."""
    return tuple(a + (b - a) * share for a, b in zip(colour, other, strict=True))  # type: ignore[return-value]


WHITE: Rgb = (1.0, 1.0, 1.0)
BLACK: Rgb = (0.0, 0.0, 0.0)


def readable_on(colour: Rgb, background: Rgb, ratio: float = 4.5) -> Rgb:
    """``colour``, darkened just enough to reach ``ratio`` against a light ``background``."""
    share = 0.0
    candidate = colour
    while contrast(candidate, background) < ratio and share < 1.0:
        share = round(share + 0.02, 2)
        candidate = mix(colour, BLACK, share)
    return candidate
