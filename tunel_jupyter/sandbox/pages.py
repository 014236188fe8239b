"""HTML pages for people: the authorize page, the auth-code page, error pages.

Every page says it is the tunel-jupyter sandbox, so that no one mistakes it for Globus.
Links and form actions are relative, so the pages also work when the Jupyter server
serves them under its own prefix.
"""

from __future__ import annotations

from html import escape

from .state import Identity

BANNER = "tunel-jupyter sandbox \N{EM DASH} not Globus"

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
.banner { background: #fff3cd; border: 1px solid #d39e00; padding: .75rem 1rem;
          font-weight: bold; }
code.auth-code { display: block; font-size: 1.4rem; padding: 1rem; margin: 1rem 0;
                 background: #f3f3f3; word-break: break-all; user-select: all; }
button { font-size: 1rem; padding: .5rem 1.5rem; margin-right: 1rem; }
.message { border-left: 4px solid #2a6ebb; padding-left: .75rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} | {escape(BANNER)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f'<p class="banner" role="note">{escape(BANNER)}. This local service '
        "stands in for Globus Auth; nothing here reaches the real Globus.</p>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )


def authorize_page(
    *,
    client_name: str,
    identity: Identity,
    session_identities: list[Identity],
    scopes: list[str],
    session_message: str | None,
    form_id: str,
) -> str:
    """Render the consent page: who logs in, which scopes, Allow and Deny."""
    scope_items = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in scopes)
    others = [member for member in session_identities if member.id != identity.id]
    also = ""
    if others:
        names = ", ".join(escape(member.username) for member in others)
        also = f"<p>Also authenticating linked identities: {names}</p>"
    message = ""
    if session_message:
        message = f'<p class="message">{escape(session_message)}</p>'
    body = (
        f"{message}"
        f"<p><strong>{escape(client_name)}</strong> requests access as "
        f"<strong>{escape(identity.name)}</strong> "
        f"(<code>{escape(identity.username)}</code>).</p>{also}"
        f"<p>Requested scopes:</p><ul>{scope_items}</ul>"
        # A relative action keeps the form working behind a proxy prefix.
        '<form method="post" action="authorize">'
        f'<input type="hidden" name="form_id" value="{escape(form_id)}">'
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny">Deny</button>'
        "</form>"
    )
    return _page("Allow access?", body)


def auth_code_page(code: str) -> str:
    """Render the page that shows an authorization code to paste into an app."""
    if not code:
        return _page(
            "No authorization code",
            "<p>This page shows an authorization code after a login. Start the "
            "login again from your application.</p>",
        )
    body = (
        "<p>Copy this code and paste it where your application asks for it:</p>"
        f'<code class="auth-code" id="auth-code">{escape(code)}</code>'
        "<p>The code works once and expires in a few minutes.</p>"
    )
    return _page("Authorization code", body)


def auth_error_page(error: str, description: str) -> str:
    """Render the auth-code page after a login that was denied or rejected."""
    reason = description or error
    if error == "access_denied":
        return _page("Access denied", f"<p>{escape(reason)} No code was issued.</p>")
    body = (
        f"<p>The login was rejected: {escape(reason)} (<code>{escape(error)}</code>). "
        "No code was issued. Start the login again from your application.</p>"
    )
    return _page("Login rejected", body)


def error_page(title: str, message: str) -> str:
    return _page(title, f"<p>{escape(message)}</p>")
