"""SageMaker Pipeline Designer: `streamlit run app.py`.

Sets up navigation and the session's design; each page is a short script in pages/.
No page run imports the SageMaker SDK unless it compiles or deploys: once the first page has
been served and the app is quiet, a background thread imports it (about 2 s) and compiles a
starter once, so the first Preview or Deploy finds the SDK loaded and its sessions built.
"""

import logging
import os
import threading
import time
from pathlib import Path

import streamlit as st

from builders.errors import PipelineDesignError
from components import session
from components.text import md

# The app's server is a process of its own: SDK 2.x's notice that it is deprecated, meant for
# callers of its API, is turned off by its own setting, as the CLI does (README).
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")


class WarmUp:
    """Once per server: when the app has been quiet for a moment after its first page,
    import the SDK and compile a starter, so that the first Preview or Deploy finds the SDK
    loaded and its sessions and image URIs built."""

    QUIET = 1.0  # seconds without a script run

    def __init__(self) -> None:
        self.last_run = time.monotonic()
        threading.Thread(target=self._run, name="warm-sagemaker-sdk", daemon=True).start()

    def touch(self) -> None:
        self.last_run = time.monotonic()

    def _run(self) -> None:
        from builders.compiling.gc_tuning import freeze_loaded
        from builders.compiling.sagemaker_env import sdk
        from builders.designs.design import compile_design
        from builders.starters import design_from_starter

        while time.monotonic() - self.last_run < self.QUIET:
            time.sleep(0.1)
        sdk()
        try:
            compile_design(design_from_starter("xgboost_end_to_end", "warm-up"))
        except PipelineDesignError:  # the user's own compile will say what is wrong
            logging.getLogger(__name__).debug("warm-up compile failed", exc_info=True)
        # What the SDK loaded lives as long as the process: out of every later collection,
        # and out of the one at exit (seconds, with its models loaded, after SIGTERM).
        freeze_loaded()


@st.cache_resource(show_spinner=False)  # one per server process
def warm_up() -> WarmUp:
    return WarmUp()


st.set_page_config(
    page_title="SageMaker Pipeline Designer",
    page_icon=str(Path(__file__).parent / "assets" / "page_icon.svg"),  # inline: no request
    layout="wide",
)
session.start()

pages = [
    st.Page("pages/designer.py", title="Designer", icon=":material/account_tree:", default=True),
    st.Page("pages/assistant.py", title="Assistant", icon=":material/smart_toy:"),
    st.Page("pages/settings.py", title="Pipeline settings", icon=":material/tune:"),
    st.Page("pages/export.py", title="Preview and export", icon=":material/ios_share:"),
    st.Page("pages/deploy.py", title="Deploy", icon=":material/rocket_launch:"),
    st.Page("pages/designs.py", title="Designs", icon=":material/folder_open:"),
]
# At the top: the header band holds the pages, and the designer's canvas gets the width.
navigation = st.navigation(pages, position="top")
design = session.current()
if navigation.title != "Designer":  # the designer's toolbar names the design
    st.caption(f"Design: **{md(design.name)}**" if design else "No design open")

try:
    navigation.run()
except PipelineDesignError as error:
    st.error(md(str(error)))
except Exception as error:  # a bug of ours: say so plainly, keep the traceback in the log
    logging.getLogger(__name__).exception("Unexpected error on %s", navigation.title)
    st.error(
        f"Something went wrong on this page ({md(type(error).__name__)}: {md(error)}). "
        "Your design is saved. Please report this with the server log."
    )
finally:  # after the page, also when it stopped or asked for a rerun
    warm_up().touch()
