"""Colour contrast as WCAG 2 defines it, for chart marks that must read on light and dark pages."""

# The page backgrounds in site.css (light, dark): a category colour is drawn on both.
BACKGROUNDS = ("#ffffff", "#121212")
# WCAG 1.4.11: graphical objects need 3:1 against what is next to them.
MINIMUM = 3.0


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def weakest_contrast(colour: str) -> float:
    """The lower of the colour's contrasts with the light and the dark page."""
    return min(contrast(colour, background) for background in BACKGROUNDS)
