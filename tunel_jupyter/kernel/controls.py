"""Small helpers shared by the panel's widgets: buttons and the panel's style."""

from __future__ import annotations

import typing as t

import ipywidgets as widgets

#: CSS class of the panel's outer box; the style below applies inside it only.
PANEL_CLASS = "tunel-globus-panel"

# Lists (selects with a size) use the code font, so padded columns line up.
PANEL_STYLE = f"""<style>
.{PANEL_CLASS} select[size] {{
  font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px);
}}
.{PANEL_CLASS} .tunel-columns {{
  font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px);
  white-space: pre;
}}
</style>"""


def button(description: str, icon: str = "", **kwargs: t.Any) -> widgets.Button:
    """Return a button as wide as its label, so no label is cut short."""
    # A flex row shrinks items to fit; a fixed basis keeps the label whole.
    layout = kwargs.pop("layout", None) or widgets.Layout(width="auto", flex="0 0 auto")
    return widgets.Button(description=description, icon=icon, layout=layout, **kwargs)


def columns(cells: t.Sequence[str], widths: t.Sequence[int]) -> str:
    """Pad or shorten ``cells`` to ``widths`` characters and join them in one row.

    The padding is no-break spaces, because browsers collapse ordinary spaces in
    the options of a select list.
    """
    padded = []
    for cell, width in zip(cells, widths, strict=True):
        if len(cell) > width:
            cell = cell[: width - 1] + "\u2026"
        padded.append(cell.ljust(width))
    return "\u00a0\u00a0".join(padded).rstrip().replace(" ", "\u00a0")
