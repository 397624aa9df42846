#!/usr/bin/env python3
"""Checks a rendered `quote/quote.html` against the `bom/bom.json` built next to it.

    check_quote.py DOM BOM_JSON HTML PNG

DOM is the page as headless Chromium dumped it after rendering (`--dump-dom`), HTML the file as
built, PNG Chromium's screenshot of it. Checks:

* the page rendered: the DOM has the title, a frontier chart per feasible workload (points, the
  operating point, both axes labelled), one floor-plan <svg> with racks per hall, the quote and
  the bill-of-materials tables, and the screenshot is a PNG of a plausible size;
* the page is self-contained: no scripts, no external stylesheets, images, fonts or frames, nothing
  fetched (`src=`, `href=`, `@import`, `url(http…)`); the SVG namespace URI is not a fetch;
* every element marked `data-bom="PATH"` shows the number bom.json has at PATH, to the precision
  it prints (`€840.2 M` is 840.2 million ± 0.05 million, `1,223,251` ± 0.5, `unpriced` is null).
"""

import json
import re
import sys
from html.parser import HTMLParser

SCALE = {"k": 1e3, "M": 1e6, "B": 1e9, "million": 1e6, "billion": 1e9, "trillion": 1e12}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.marked = []  # [path, text]
        self.stack = []  # open elements: (tag, index into marked or None)
        self.tags = {}
        self.svg_rects = 0
        self.in_svg = 0
        self.frontiers = []  # per frontier chart: [points, operating points, axis labels]
        self.in_frontier = False
        self.in_text = False
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "svg":
            self.in_svg += 1
            if "frontier" in (a.get("class") or "").split():
                self.frontiers.append([0, 0, 0])
                self.in_frontier = True
        if self.in_frontier and tag == "circle":
            if "operating-point" in (a.get("class") or "").split():
                self.frontiers[-1][1] += 1
            else:
                self.frontiers[-1][0] += 1
        if self.in_frontier and tag == "text":
            self.in_text = True
        if tag == "rect" and self.in_svg and "url(#" in (a.get("fill") or ""):
            self.svg_rects += 1
        if tag == "title" and not self.in_svg:
            self.in_title = True
        idx = None
        if "data-bom" in a:
            self.marked.append([a["data-bom"], ""])
            idx = len(self.marked) - 1
        if tag not in ("meta", "br", "img", "input", "link", "hr", "rect", "path", "text"):
            self.stack.append((tag, idx))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1
            self.in_frontier = False
        if tag == "text":
            self.in_text = False
        if tag == "title":
            self.in_title = False
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.in_frontier and self.in_text and ("tokens/s per user" in data or "tokens/s per GPU" in data):
            self.frontiers[-1][2] += 1
        if self.in_title:
            self.title += data
        for _, idx in self.stack:
            if idx is not None:
                self.marked[idx][1] += data


def lookup(doc, path):
    v = doc
    for part in path.split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
    return v


def parse_shown(text):
    """The number a cell shows and how far off its rounding may be: (value, tolerance)."""
    t = text.strip()
    if t in ("unpriced", "no tokens"):
        return None, 0.0
    m = re.search(r"(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|M|B|million|billion|trillion)?\b", t)
    if not m:
        raise ValueError(f"no number in {text!r}")
    digits = m.group(1).replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    scale = SCALE.get(m.group(2) or "", 1.0)
    return float(digits) * scale, 0.5 * 10 ** (-decimals) * scale * 1.000001


def main():
    dom_path, bom_path, html_path, png_path = sys.argv[1:5]
    dom = open(dom_path, encoding="utf-8").read()
    bom = json.load(open(bom_path, encoding="utf-8"))
    html = open(html_path, encoding="utf-8").read()
    png = open(png_path, "rb").read()
    problems = []

    page = Page()
    page.feed(dom)
    if not page.title.startswith("Quote: "):
        problems.append(f"title is {page.title!r}")
    if page.tags.get("svg", 0) < 1 or page.svg_rects < 1:
        problems.append("no floor plan with racks rendered")
    # Each feasible workload's frontier: an inline chart with its points, the operating point and
    # both axes labelled with their units.
    if not page.frontiers:
        problems.append("no throughput-interactivity frontier chart rendered")
    for i, (points, operating, axes) in enumerate(page.frontiers):
        if points < 1 or operating != 1 or axes < 2:
            problems.append(f"frontier chart {i}: {points} points, {operating} operating points, {axes} axis labels")
    if page.tags.get("table", 0) < 4:
        problems.append("the quote and bill-of-materials tables are missing")
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 20_000:
        problems.append(f"the screenshot is not a plausible PNG ({len(png)} bytes)")

    for pattern, what in [
        (r"<script", "a script"),
        (r"<link\b", "a linked resource"),
        (r"<img\b", "an image"),
        (r"<iframe\b", "a frame"),
        (r"\ssrc\s*=", "a src attribute"),
        (r"\shref\s*=", "an href attribute"),
        (r"@import", "a CSS import"),
        (r"url\(\s*['\"]?(https?:|//)", "a remote CSS url()"),
    ]:
        if re.search(pattern, html, re.I):
            problems.append(f"the page is not self-contained: it has {what}")
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        if url != "http://www.w3.org/2000/svg":
            problems.append(f"the page names a URL: {url}")

    checked = 0
    for path, text in page.marked:
        try:
            want = lookup(bom, path)
        except (KeyError, IndexError, ValueError):
            problems.append(f"data-bom={path!r}: not in bom.json")
            continue
        try:
            shown, tolerance = parse_shown(text)
        except ValueError as e:
            problems.append(f"data-bom={path!r}: {e}")
            continue
        if shown is None or want is None:
            if shown != want:
                problems.append(f"data-bom={path!r}: page shows {text.strip()!r}, bom.json has {want!r}")
            continue
        if abs(shown - float(want)) > tolerance:
            problems.append(f"data-bom={path!r}: page shows {text.strip()!r}, bom.json has {want!r}")
        checked += 1
    lines = len(bom["lines"])
    if checked < 3 * lines + 8:
        problems.append(f"only {checked} numbers checked for {lines} lines")

    for p in problems:
        print(f"  {p}")
    print(f"  {checked} numbers in the page match bom.json" if not problems else f"  {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
