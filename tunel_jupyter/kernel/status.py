"""A status area for widgets: messages, our errors, and tracebacks of the rest.

Widget callbacks run inside the kernel's comm handler, where an uncaught exception
only reaches the kernel log. ``StatusArea.guard`` catches it and shows it here.
"""

from __future__ import annotations

import functools
import html
import logging
import threading
import traceback
import typing as t

import ipywidgets as widgets

from tunel_jupyter.errors import TunelError

from .failures import describe_error

log = logging.getLogger(__name__)

_Callback = t.TypeVar("_Callback", bound=t.Callable[..., None])

_COLOURS = {"info": "inherit", "success": "#1a7f37", "error": "#cf222e"}


class StatusArea(widgets.VBox):  # type: ignore[misc]
    """A line of status text above an output area for unexpected tracebacks.

    ``message`` is the last text shown, ``level`` its kind (``info``,
    ``success`` or ``error``), so code and tests can read what the panel shows.
    """

    def __init__(self, **kwargs: t.Any) -> None:
        self.text = widgets.HTML()
        self.output = widgets.Output()
        self.message = ""
        self.level = "info"
        self.last_error: BaseException | None = None
        self.on_tunel_error: list[t.Callable[[TunelError], None]] = []
        super().__init__([self.text, self.output], **kwargs)

    def show(self, message: str, level: str = "info") -> None:
        """Show ``message`` (plain text, several lines allowed) at ``level``."""
        self.message = message
        self.level = level
        lines = "<br>".join(html.escape(line) for line in message.splitlines())
        colour = _COLOURS.get(level, "inherit")
        self.text.value = f'<div style="color: {colour}">{lines}</div>'

    def clear(self) -> None:
        """Remove the message and any traceback shown."""
        self.show("")
        self.last_error = None
        self.output.clear_output()

    def show_error(self, error: BaseException) -> None:
        """Show an error: ours as a short description, any other with its traceback."""
        self.last_error = error
        if isinstance(error, TunelError):
            log.debug("Showing %s in the status area", error.code)
            self.show("\n".join(describe_error(error)), "error")
            for handler in self.on_tunel_error:
                handler(error)
            return

        # The traceback goes to the Output widget below; an error-level record would
        # also reach the cell's stderr through logging's last-resort handler.
        log.debug("Unexpected error in a Globus widget", exc_info=error)
        self.show(f"Unexpected error: {type(error).__name__}: {error}", "error")
        self._show_traceback(error)

    def _show_traceback(self, error: BaseException) -> None:
        from IPython import get_ipython

        # showtraceback reaches the Output widget only through a kernel's messages,
        # and only from the thread that handles them; elsewhere, write the text.
        shell = get_ipython()
        in_kernel = shell is not None and getattr(shell, "kernel", None) is not None
        if in_kernel and threading.current_thread() is threading.main_thread():
            with self.output:
                shell.showtraceback((type(error), error, error.__traceback__))
        else:
            lines = traceback.format_exception(error)
            self.output.append_stderr("".join(lines))

    def guard(self, callback: _Callback) -> _Callback:
        """Wrap a widget callback so any error it raises is shown here."""

        @functools.wraps(callback)
        def guarded(*args: t.Any, **kwargs: t.Any) -> None:
            try:
                callback(*args, **kwargs)
            except Exception as error:  # the boundary of a widget callback
                self.show_error(error)

        return t.cast(_Callback, guarded)
