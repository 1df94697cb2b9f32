"""Designer: the canvas across the window (its palette at its left), a toolbar above it,
and over its right side the panel of the selected node, connection or nodes.

One run per action: the canvas's events are read, and the toolbar's buttons act
(callbacks), before anything is drawn, so the canvas and the panel show the result in the
same run (a click opens its node's panel at once; a step added from the palette is drawn,
selected and in sight). The node panel is a component drawn in the browser that sends
only the user's edits; they too are read and applied before anything is drawn, so the run
that takes an edit (a rename or a deletion included) shows it.

Everything here is one fragment (`workbench`): a canvas event, a panel edit or a toolbar
button runs only it.
"""

import hashlib

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from builders.designs.design import move_nodes, remove_nodes
from builders.designs.placing import clip, paste
from builders.graph.layout import tidy_positions
from components import session
from components.canvas import apply_edit, design_canvas, read_edit
from components.node_panel import connection_panel, node_panel, take_panel_edits
from components.run_overlay import run_overlay
from components.text import md

PANEL_WIDTH = 440  # pixels: the panel covers the canvas's right side by this much
_FITS = "designer_fits"  # the view is fitted again when this count changes (Tidy layout)
_SEVERAL = "designer_selected_nodes"  # the nodes selected together (two or more)
_CLIPBOARD = "designer_clipboard"  # what Copy kept: a Design of the copied steps

design = session.current()
if design is None:
    from components.first_screen import first_screen

    first_screen()
    st.stop()


def layout_css(dark: bool) -> str:
    """The page uses the window: narrow margins, the canvas down to the window's bottom
    (its frame sizes itself), and the panel over the canvas's right side (`stage`)."""
    background = "#0e1117" if dark else "#ffffff"
    return f"""<style>
    [data-testid="stMainBlockContainer"] {{
      padding: 4.25rem 0.75rem 0 0.75rem; max-width: none;
    }}
    .st-key-stage {{ position: relative; gap: 0; }}
    .st-key-stage iframe {{ display: block; }}
    [class*="st-key-drawer"] {{
      position: absolute; top: 0; right: 0; bottom: 0; z-index: 5;
      width: {PANEL_WIDTH}px; max-width: 70%; box-sizing: border-box;
      overflow-y: auto; padding: 0.5rem 1rem 1rem;
      background: {background}; border-left: 1px solid rgba(128, 128, 128, 0.3);
      box-shadow: -4px 0 12px rgba(0, 0, 0, 0.08);
    }}
    </style>"""


def select(node: str | None = None, edge=None, nodes=()) -> None:
    """The selection: a node, a connection, or several nodes (`nodes`, two or more)."""
    several = list(nodes) if len(nodes) > 1 else []
    st.session_state[session.SELECTED] = node if not several else None
    st.session_state[session.SELECTED_EDGE] = edge if not several else None
    st.session_state[_SEVERAL] = several


def take_canvas_edit() -> None:
    """Apply what the user did on the canvas since the last run (none: nothing)."""
    design = session.current()
    edit = read_edit(design)
    if edit is None:
        return
    applied = apply_edit(
        design,
        edit,
        selected=st.session_state.get(session.SELECTED),
        clipboard=st.session_state.get(_CLIPBOARD),
    )
    for refusal in applied.refusals:
        session.notice("warning", refusal)
    st.session_state[_CLIPBOARD] = applied.clipboard
    if applied.select is not None:  # new steps or copies: selected, the panel on them
        names = applied.select
        select(names[0] if len(names) == 1 else None, nodes=names)
    elif edit.clicked:
        select(edit.selected, edit.selected_edge, edit.selected_nodes)
    session.commit(applied.design)


def take_panel_edit() -> None:
    """Apply the user's edits in the node panel since the last run; a renamed or deleted
    node's selection follows it."""
    design = session.current()
    edited, _ = take_panel_edits(design)
    if edited == design:
        return
    selected = st.session_state.get(session.SELECTED)
    if selected and selected not in edited.node_names:
        renamed = [n for n in edited.node_names if n not in design.node_names]
        select(renamed[0] if renamed else None)
    session.commit(edited)


def acting(action):
    """A button's callback. Callbacks run before the page: the canvas's events the user
    made before the click are applied first (a drop, then Undo, undoes the drop)."""

    def act() -> None:
        with session.saving_after_drawing():  # saved at the end of the workbench's run
            take_canvas_edit()
            take_panel_edit()
            action()

    return act


def tidy() -> None:
    design = session.current()
    session.commit(move_nodes(design, tidy_positions(design.dag())))
    st.session_state[_FITS] = st.session_state.get(_FITS, 0) + 1


def duplicate(names: list[str]) -> None:
    design = session.current()
    kept = [name for name in names if name in design.node_names]
    copied, new = paste(design, clip(design, kept))
    session.commit(copied)
    select(new[0] if len(new) == 1 else None, nodes=new)


def delete(names: list[str]) -> None:
    session.commit(remove_nodes(session.current(), names))
    select()


def toolbar(design) -> None:
    """Undo, redo, Tidy layout. Drawn before the panel: an edit in the node panel was taken
    at the run's start, and one in the connection panel runs the workbench again."""
    history = session.history(design.name)
    steps = (("undo", "Ctrl+Z", session.undo, history.can_undo),
             ("redo", "Ctrl+Shift+Z", session.redo, history.can_redo))  # fmt: skip
    for name, keys, action, possible in steps:
        st.button(
            "",
            icon=f":material/{name}:",
            key=name,
            help=f"{name.capitalize()} ({keys})",
            on_click=acting(action),
            disabled=not possible,
            shortcut=keys,
        )
    st.button(
        "Tidy layout",
        icon=":material/account_tree:",
        key="tidy",
        help="Lay the steps out left to right, by their order in the pipeline",
        on_click=acting(tidy),
        disabled=not design.nodes,
    )


st.html(layout_css(st.context.theme.type == "dark"))


@st.fragment
def workbench() -> None:
    """Toolbar, canvas and panel: all that a canvas event, a panel edit or the toolbar
    changes. A fragment, so such a run draws only this. Its edits are saved once it has
    drawn them: the browser draws while the file is written."""
    with session.saving_after_drawing():
        notices = draw_workbench()
    if session.save_drawn():  # merged with another tab's change, or saved aside
        rerun()
    session.show_notices("designer", notices)
    session.refresh()  # after this run's edits: takes up what another tab saved meanwhile


def draw_workbench():
    """Draw the workbench with the run's edits; returns the place for its notices."""
    take_canvas_edit()
    take_panel_edit()
    design = session.current()
    selected = st.session_state.get(session.SELECTED)
    if selected not in design.node_names:
        selected = None
    selected_edge = st.session_state.get(session.SELECTED_EDGE)
    if selected_edge not in design.edges:
        selected_edge = None
    several = [n for n in st.session_state.get(_SEVERAL, []) if n in design.node_names]
    select(selected, selected_edge, several)  # a deleted or undone selection is none

    # One row, one element: Streamlit sends and draws each element of a run (a column is one).
    with st.container(horizontal=True, vertical_alignment="center", key="bar"):
        st.markdown(f"#### {md(design.name)}", width="stretch")  # its state: on the canvas
        toolbar(design)
    notices = st.container()  # filled at the end: this run's notices (a merge, a refusal) too
    overlay = run_overlay(design)  # the last run's bar; its states go to canvas and panel
    with st.container(key="stage"):
        canvas_place = st.container()
        shown = selected or selected_edge or len(several) > 1
        if shown:
            design = panel_of(design, selected, selected_edge, several, overlay)
    with canvas_place:
        canvas_of(design, selected_edge, overlay, inset=PANEL_WIDTH if shown else 0)
    return notices


def _drawer_key(*selection) -> str:
    """A key per selection: the panel of another selection is a new element, which opens
    at its top (the browser would keep the scroll of the same one). Nodes share one: a new
    node panel would be mounted afresh on each click (~40-80 ms in the browser), and it
    scrolls itself to its top when it shows another node."""
    digest = hashlib.sha256(repr((session.epoch(), selection)).encode()).hexdigest()[:12]
    return f"drawer_{digest}"


def panel_of(design, selected, selected_edge, several, overlay):
    """The panel over the canvas's right side; returns the design with its edit."""
    edited = design
    drawer = st.container(key=_drawer_key(*(() if selected else (selected_edge, tuple(several)))))
    with drawer, st.container(key="panel"):
        panel_bar(selected, several)
        if len(several) > 1:
            several_panel(design, several)
        elif selected:
            overlay.node_section(selected)
            node_panel(design, session.report, selected)  # its edits: take_panel_edit
        elif selected_edge:
            edited = connection_panel(design, session.report(design), selected_edge)
    if edited == design:
        return design
    reselect = (selected and selected not in edited.node_names) or (
        selected_edge and selected_edge not in edited.edges
    )
    if reselect:  # renamed or deleted: the panel follows
        renamed = [n for n in edited.node_names if n not in design.node_names]
        select(renamed[0] if renamed and selected else None)
    session.commit(edited)
    if reselect:  # (merged with another tab's: rerun once saved, see workbench)
        rerun()
    return edited


def panel_bar(selected, several) -> None:
    """The panel's top row: what it acts on (Duplicate for a node) and its close button."""
    alignment = "distribute" if selected or len(several) > 1 else "right"
    with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment=alignment):
        if len(several) > 1:
            st.markdown(f"**{len(several)} steps selected**", width="content")
        elif selected:
            st.button(
                "Duplicate",
                icon=":material/content_copy:",
                key="duplicate",
                help="Add a copy of this step with its values (Ctrl+D on the canvas)",
                on_click=acting(lambda: duplicate([selected])),
            )
        st.button(
            "",
            icon=":material/close:",
            key="close_panel",
            help="Close the panel (Escape on the canvas)",
            on_click=acting(select),
        )


def several_panel(design, names: list[str]) -> None:
    """Several steps selected: they move together on the canvas; here they are duplicated
    or deleted together (one undo each)."""
    st.caption(md(", ".join(names)))
    duplicated, deleted = st.columns(2)
    duplicated.button(
        "Duplicate",
        icon=":material/content_copy:",
        key="duplicate_several",
        help="Add copies of these steps with their values and connections (Ctrl+D)",
        on_click=acting(lambda: duplicate(names)),
        width="stretch",
    )
    deleted.button(
        "Delete",
        icon=":material/delete:",
        key="delete_several",
        help="Remove these steps (Delete on the canvas)",
        on_click=acting(lambda: delete(names)),
        width="stretch",
    )
    st.caption("Shift+click a step to add it to the selection or take it out.")


def canvas_of(design, selected_edge, overlay, inset: int) -> None:
    if not design.nodes:
        st.info("Add a step from the palette to start: click it, or drag it onto the canvas.")
    design_canvas(
        design,
        session.report(design),
        st.session_state.get(session.SELECTED),
        selected_edge,
        selected_nodes=tuple(st.session_state.get(_SEVERAL, [])),
        fit_token=f"{session.epoch()}:{st.session_state.get(_FITS, 0)}",
        height=None,
        runs=overlay.states,
        inset_right=inset,
    )


def rerun() -> None:
    """Draw the workbench again: alone in a fragment's own run, else with the page."""
    ctx = get_script_run_ctx()
    in_fragment = ctx is not None and bool(ctx.fragment_ids_this_run)
    st.rerun(scope="fragment" if in_fragment else "app")


workbench()
