#!/usr/bin/python3
"""Checks for bench/flamegraph.py on a small synthetic `perf script` sample.

Run: /usr/bin/python3 tests/tools/flamegraph_test.py   (from any directory)
"""
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # do not leave bench/__pycache__ behind

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "bench", "flamegraph.py")
spec = importlib.util.spec_from_file_location("flamegraph", SCRIPT)
flamegraph = importlib.util.module_from_spec(spec)
spec.loader.exec_module(flamegraph)

SVG_NS = "{http://www.w3.org/2000/svg}"

# Three samples: a comm with a space and a [cpu] field, an [unknown] symbol, +0x offsets,
# a C++ name with '<', '>', '&' and a space, a ';' in a name, and a padded comm with no cpu.
PERF_SCRIPT = (
    "brook io 12345/12346 [001] 1234.567890:     250000 cpu-clock:  \n"
    "\t    7f0011223344 memcpy+0x1a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\t    55aa00001000 brook::Log::append(std::vector<char, std::allocator<char> > const&)+0x42 (/opt/brook/brookd)\n"
    "\t    55aa00002000 main+0x10 (/opt/brook/brookd)\n"
    "\n"
    "brook io 12345/12346 [000] 1234.568890:     250000 cpu-clock:  \n"
    "\t    7f0011229999 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\t    55aa00002000 main+0x10 (/opt/brook/brookd)\n"
    "\n"
    "          brookd 12345 1234.569890:     1000 cycles:u: \n"
    "\tffffffff81000100 weird;name+0x5 ([kernel.kallsyms])\n"
    "\t    55aa00002000 main+0x10 (/opt/brook/brookd)\n"
    "\n"
)

EXPECTED_FOLDED = [
    "brook io;main;[libc.so.6] 1",
    "brook io;main;brook::Log::append(std::vector<char, std::allocator<char> > const&);memcpy 1",
    "brookd;main;weird:name 1",
]


def run_cli(args, stdin_text):
    return subprocess.run([sys.executable, SCRIPT] + args, input=stdin_text, text=True,
                          capture_output=True, check=True).stdout


class FlamegraphTest(unittest.TestCase):
    def test_folded_output(self):
        out = run_cli(["--folded"], PERF_SCRIPT)
        self.assertEqual(out.splitlines(), EXPECTED_FOLDED)

    def test_fold_counts_repeated_stacks(self):
        counts = flamegraph.fold((PERF_SCRIPT * 3).splitlines(True))
        self.assertEqual(sorted(counts.values()), [3, 3, 3])
        self.assertIn(("brook io", "main", "[libc.so.6]"), counts)

    def test_samples_without_callchain(self):
        text = "a 1 1.0: 1 cpu-clock: ffff sym (/x)\nb 2 2.0: 1 cpu-clock: ffff sym (/x)\n"
        self.assertEqual(flamegraph.fold(text.splitlines(True)), {("a",): 1, ("b",): 1})

    def test_svg_is_valid_xml_with_titles(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.svg")
            run_cli(["--output", path, "--title", 'brookd "produce" <&>'], PERF_SCRIPT)
            root = ET.parse(path).getroot()
        self.assertEqual(root.tag, SVG_NS + "svg")
        self.assertEqual(root.get("width"), "1200")
        titles = [t.text for t in root.iter(SVG_NS + "title")]
        for expected in [
            "all (3 samples, 100.00%)",
            "brook io (2 samples, 66.67%)",
            "main (2 samples, 66.67%)",
            "[libc.so.6] (1 sample, 33.33%)",
            "brook::Log::append(std::vector<char, std::allocator<char> > const&) (1 sample, 33.33%)",
            "weird:name (1 sample, 33.33%)",
        ]:
            self.assertIn(expected, titles)
        texts = [t.text for t in root.iter(SVG_NS + "text")]
        self.assertEqual(texts[0], 'brookd "produce" <&>')
        self.assertIn("3 samples", texts[1])
        # every frame group has a title and a rect
        groups = [g for g in root.iter(SVG_NS + "g") if g.find(SVG_NS + "title") is not None]
        self.assertEqual(len(groups), len(titles))
        self.assertTrue(all(g.find(SVG_NS + "rect") is not None for g in groups))

    def test_svg_is_deterministic(self):
        self.assertEqual(run_cli(["--title", "t"], PERF_SCRIPT), run_cli(["--title", "t"], PERF_SCRIPT))

    def test_min_width_drops_narrow_frames(self):
        counts = dict(flamegraph.fold(PERF_SCRIPT.splitlines(True)))
        counts[("big", "work")] = 10000
        root = ET.fromstring(flamegraph.render_svg(counts, "t", 0.1))
        titles = [t.text for t in root.iter(SVG_NS + "title")]
        self.assertIn("work (10000 samples, 99.97%)", titles)
        self.assertFalse(any(t.startswith("memcpy") for t in titles))

    def test_long_names_shortened_for_display_only(self):
        name = "ns::Foo<std::map<int, std::string>>::bar(" + "int, " * 20 + "int) const"
        self.assertEqual(flamegraph.short_name(name), "ns::Foo<...>::bar() const")
        self.assertEqual(flamegraph.short_name("f(int)"), "f(int)")

    def test_empty_input_fails(self):
        proc = subprocess.run([sys.executable, SCRIPT], input="", text=True, capture_output=True)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no samples", proc.stderr)


if __name__ == "__main__":
    unittest.main()
