"""The login prompt's link: short text, the full authorize URL as its target."""

from __future__ import annotations

import html
import re

from IPython.core.interactiveshell import InteractiveShell

from tunel_jupyter.kernel.login import LINK_TEXT, LoginPrompt

_ANCHOR = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')


def test_link_text_is_short(
    shell: InteractiveShell, globus_env: dict[str, str]
) -> None:
    prompt = shell.run_line_magic("globus", "login")
    assert isinstance(prompt, LoginPrompt)
    url = html.escape(prompt.authorize_url, quote=True)
    widget_html = prompt.widget.children[0].value
    fallback_html = prompt._repr_mimebundle_()["text/html"]

    for shown in (widget_html, fallback_html):
        anchors = _ANCHOR.findall(shown)
        assert anchors == [(url, LINK_TEXT)]
        # The full URL stays available to copy, folded away.
        copy = shown[shown.index("<details>") : shown.index("</details>")]
        assert f">{url}</code>" in copy
    assert "%globus login CODE" in fallback_html
    assert prompt.authorize_url in repr(prompt)
