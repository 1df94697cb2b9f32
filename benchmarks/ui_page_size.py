"""What one Streamlit round trip costs as the page grows, measured in Chromium.

    python benchmarks/ui_page_size.py [--repeat 10] [--sizes 0,40,80,160]

The floor app of benchmarks/ui_browser.py (a button whose click renders a text) with N more
elements drawn on every run: labelled text inputs in containers, what the designer's panel is
made of (a form field is a container, its widget and a place for its messages). Prints the
median time from click to the text shown for each N and its ratio to N = 0, measured in the
same run. The designer's page with a node open is about 100-120 elements (sidebar included),
so this is the least a click can cost in a page drawn by Streamlit, whatever the page does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_browser import CHROMIUM, CHROMIUM_FLAGS, App, Floor

PAGE = """
import streamlit as st

if st.button("Click me"):
    st.session_state.clicks = st.session_state.get("clicks", 0) + 1
clicks = st.session_state.get("clicks", 0)
for i in range({elements} // 2):
    with st.container():
        st.text_input(f"Field {{i}}", value=str(i), key=f"field{{i}}")
st.write(f"clicked {{clicks}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="clicks per page size")
    parser.add_argument("--sizes", default="0,40,80,120,160", help="elements besides the floor's")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="ui-page-size-"))
    samples: dict[int, list[float]] = {size: [] for size in sizes}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        apps, floors = {}, {}
        try:
            for size in sizes:
                script = root / f"page_{size}.py"
                script.write_text(PAGE.format(elements=size))
                apps[size] = App(script, root / "workspace")
                floors[size] = Floor(browser, apps[size])
            for _ in range(args.repeat):  # interleaved: the machine drifts
                for size in sizes:
                    samples[size].append(floors[size].click().seconds * 1000)
        finally:
            for app in apps.values():
                app.stop()
        browser.close()
    base = statistics.median(samples[sizes[0]])
    print(f"{'elements':>8}  {'median':>8}  {'p95':>8}  {'ratio':>6}")
    for size in sizes:
        values = sorted(samples[size])
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{size:>8}  {median:>6.0f}ms  {p95:>6.0f}ms  {median / base:>5.1f}x")


if __name__ == "__main__":
    main()
