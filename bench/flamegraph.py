#!/usr/bin/python3
"""Turn `perf script` output into a static flame graph SVG (or folded stacks).

Usage:
  perf record -F 999 -g -p "$(pidof brookd)" -o perf.data -- sleep 10
  perf script -i perf.data | bench/flamegraph.py --title "brookd produce" > out.svg
  bench/flamegraph.py --input perf.script --output out.svg --title T
  bench/flamegraph.py --input perf.script --folded     # "root;...;leaf count" lines

Each sample is one header line ("comm pid[/tid] [cpu] time: [period] event:") followed by
stack frame lines, leaf first ("\\t addr symbol+0x1a (/path/to/dso)"), ended by a blank line.
Stacks are folded root first with the comm (thread name) as root frame; widths count samples.
Standard library only.
"""
import argparse
import hashlib
import os
import re
import sys
from xml.sax.saxutils import escape

HEADER_RE = re.compile(r"^\s*(.+?)\s+\d+(?:/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:")
FRAME_RE = re.compile(r"^\s*[0-9a-fA-F]+\s+(.+?)(?:\s+\(([^()]*)\))?\s*$")
OFFSET_RE = re.compile(r"\+0x[0-9a-fA-F]+$")
CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

WIDTH, FRAME_H, PAD, TOP, BOTTOM, CHAR_W, FONT = 1200, 16, 10, 50, 10, 7.0, 12


def clean(name):
    """Make a frame name safe for the folded format and for XML."""
    return CTRL_RE.sub("?", name.replace(";", ":")).strip() or "[unknown]"


def frame_name(line):
    m = FRAME_RE.match(line)
    if not m:  # e.g. inline frames without an address: keep the text as is
        return clean(line.strip())
    sym, dso = OFFSET_RE.sub("", m.group(1).strip()), m.group(2)
    if sym == "[unknown]" and dso:
        base = dso if dso.startswith("[") else "[%s]" % os.path.basename(dso)
        return clean(base)
    return clean(sym)


def fold(lines):
    """Return {tuple(root..leaf): sample count} parsed from perf script lines."""
    counts, header, frames = {}, None, []

    def flush():
        if header is not None:
            stack = (header,) + tuple(reversed(frames))
            counts[stack] = counts.get(stack, 0) + 1

    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            header, frames = None, []
        elif line.startswith("#") and header is None:
            continue
        elif header is None or (not line.startswith("\t") and HEADER_RE.match(line)):
            flush()  # a header right after a header: samples recorded without -g
            m = HEADER_RE.match(line)
            header, frames = clean(m.group(1) if m else line.split()[0]), []
        else:
            frames.append(frame_name(line.replace(" (deleted))", ")")))
    flush()
    return counts


def short_name(name, limit=80):
    """Display-only shortening of long C++ names: drop template and argument lists."""
    if len(name) <= limit:
        return name
    out, depth = [], 0
    for ch in name:
        if ch in "<(":
            if depth == 0:
                out.append(ch)
            depth += 1
        elif ch in ">)" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append("..." + ch if ch == ">" else ch)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def color(name):
    """Warm (red/orange/yellow) colour, deterministic per name."""
    h = hashlib.md5(name.encode("utf-8", "replace")).digest()
    r = 205 + h[0] * 50 // 255
    g = h[1] * 230 // 255
    b = h[2] * 55 // 255
    return "rgb(%d,%d,%d)" % (r, g, b)


def build_tree(counts):
    root = {"count": 0, "kids": {}}
    for stack, n in counts.items():
        root["count"] += n
        node = root
        for name in stack:
            node = node["kids"].setdefault(name, {"count": 0, "kids": {}})
            node["count"] += n
    return root


def render_svg(counts, title, min_width):
    tree = build_tree(counts)
    total = tree["count"]
    scale = (WIDTH - 2 * PAD) / total
    min_samples = total * min_width / 100.0
    boxes = []  # (depth, x_samples, name, count)

    def place(name, node, depth, x):
        boxes.append((depth, x, name, node["count"]))
        for kid_name in sorted(node["kids"]):
            kid = node["kids"][kid_name]
            if kid["count"] >= min_samples:
                place(kid_name, kid, depth + 1, x)
            x += kid["count"]

    place("all", tree, 0, 0)
    max_depth = max(b[0] for b in boxes)
    height = TOP + (max_depth + 1) * FRAME_H + BOTTOM
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d">' % (WIDTH, height, WIDTH, height),
        '<rect x="0" y="0" width="%d" height="%d" fill="#f8f8f8"/>' % (WIDTH, height),
        '<text x="%d" y="22" text-anchor="middle" font-family="Verdana, sans-serif" '
        'font-size="17">%s</text>' % (WIDTH // 2, escape(title, {'"': "&quot;"})),
        '<text x="%d" y="40" text-anchor="middle" font-family="Verdana, sans-serif" '
        'font-size="12" fill="#555">%d samples%s</text>'
        % (WIDTH // 2, total, " (frames under %g%% hidden)" % min_width if min_width > 0 else ""),
        '<g font-family="monospace" font-size="%d">' % FONT,
    ]
    for depth, x, name, n in boxes:
        px, w = PAD + x * scale, n * scale
        y = height - BOTTOM - (depth + 1) * FRAME_H
        pct = 100.0 * n / total
        tip = "%s (%d sample%s, %.2f%%)" % (name, n, "" if n == 1 else "s", pct)
        out.append("<g><title>%s</title>" % escape(tip, {'"': "&quot;"}))
        out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" rx="2" ry="2"/>'
                   % (px, y, max(w - 0.5, 0.1), FRAME_H - 1,
                      "rgb(230,230,230)" if depth == 0 else color(name)))
        fit = int((w - 6) / CHAR_W)
        if fit >= 3:
            label = short_name(name)
            if len(label) > fit:
                label = label[:fit - 2] + ".."
            out.append('<text x="%.2f" y="%d">%s</text>'
                       % (px + 3, y + FRAME_H - 4, escape(label, {'"': "&quot;"})))
        out.append("</g>")
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="perf script output -> flame graph SVG")
    ap.add_argument("--input", "-i", help="perf script text file (default: stdin)")
    ap.add_argument("--output", "-o", help="output file (default: stdout)")
    ap.add_argument("--title", default="Flame Graph", help="title shown at the top")
    ap.add_argument("--folded", action="store_true",
                    help='print folded stacks ("root;...;leaf count") instead of SVG')
    ap.add_argument("--min-width", type=float, default=0.1,
                    help="hide frames narrower than this percent of all samples (default 0.1)")
    args = ap.parse_args(argv)

    if args.input:
        with open(args.input, encoding="utf-8", errors="replace") as f:
            counts = fold(f)
    else:
        counts = fold(open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False))
    if not counts:
        print("flamegraph.py: no samples found in input", file=sys.stderr)
        return 1
    if args.folded:
        text = "".join("%s %d\n" % (";".join(s), n) for s, n in sorted(counts.items()))
    else:
        text = render_svg(counts, args.title, args.min_width)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
