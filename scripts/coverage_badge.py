"""Draw a coverage badge (SVG) from a Cobertura coverage.xml, and optionally a Markdown summary.

    python scripts/coverage_badge.py reports/coverage.xml reports/coverage.svg [--summary]

The total is computed the way `coverage report` does with branch coverage: covered lines and
branches over all lines and branches. No dependency beyond the standard library.
"""

import argparse
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from xml.sax.saxutils import escape

# (lowest percentage, colour) from best to worst, as on the usual shields.
COLOURS = (
    (90.0, "#4c1"),
    (80.0, "#97ca00"),
    (70.0, "#a4a61d"),
    (60.0, "#dfb317"),
    (50.0, "#fe7d37"),
    (0.0, "#e05d44"),
)
CHAR_WIDTH = 7  # px per character of 11px Verdana, close enough for short labels
PADDING = 10


def total_percent(root: ElementTree.Element) -> float:
    covered = int(root.get("lines-covered", 0)) + int(root.get("branches-covered", 0))
    valid = int(root.get("lines-valid", 0)) + int(root.get("branches-valid", 0))
    return 100.0 * covered / valid if valid else 100.0


def colour_for(percent: float) -> str:
    return next(colour for floor, colour in COLOURS if percent >= floor)


def badge_svg(percent: float, label: str = "coverage") -> str:
    value = f"{percent:.0f}%"
    left = len(label) * CHAR_WIDTH + PADDING
    right = len(value) * CHAR_WIDTH + PADDING
    width = left + right
    text = f"{escape(label)}: {value}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{text}"><title>{text}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour_for(percent)}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2}" y="14">{escape(label)}</text>'
        f'<text x="{left + right / 2}" y="14">{value}</text>'
        "</g></svg>\n"
    )


def markdown_summary(root: ElementTree.Element, percent: float) -> str:
    lines = [
        f"### Coverage: {percent:.1f}%",
        "",
        "| file | lines | branches |",
        "|---|---:|---:|",
    ]
    files = sorted(root.iter("class"), key=lambda node: float(node.get("line-rate", 1)))
    for node in files:
        line_rate = 100 * float(node.get("line-rate", 1))
        branch_rate = 100 * float(node.get("branch-rate", 1))
        lines.append(f"| `{node.get('filename')}` | {line_rate:.1f}% | {branch_rate:.1f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coverage badge (SVG) from coverage.xml.")
    parser.add_argument("coverage_xml", type=Path)
    parser.add_argument("badge_svg", type=Path)
    parser.add_argument("--summary", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)

    # coverage.xml is written by our own test run, not untrusted input.
    root = ElementTree.parse(args.coverage_xml).getroot()  # noqa: S314
    percent = total_percent(root)
    args.badge_svg.parent.mkdir(parents=True, exist_ok=True)
    args.badge_svg.write_text(badge_svg(percent), encoding="utf-8")
    if args.summary:
        sys.stdout.write(markdown_summary(root, percent))
    else:
        print(f"coverage {percent:.1f}% -> {args.badge_svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
