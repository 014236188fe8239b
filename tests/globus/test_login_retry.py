"""Login: a code Globus Auth rejects leaves the login open for the right code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils import sandbox_authorize
from tunel_jupyter.errors import LoginRequired, UsageError
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.globus import login as login_module


def stored_tokens(globus_env: dict[str, str]) -> str:
    path = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus" / "tokens.json"
    return path.read_text() if path.exists() else ""


@pytest.mark.parametrize("by_state", [True, False], ids=["state", "pasted"])
def test_right_code_after_wrong_code(session: GlobusSession, by_state: bool) -> None:
    request = session.start_login()
    code, _ = sandbox_authorize(request.authorize_url)
    state = request.state if by_state else None

    with pytest.raises(UsageError, match="paste it again"):
        session.finish_login("WRONGCODE", state=state)
    assert not session.status().logged_in

    identity = session.finish_login(code, state=state)

    assert identity.username == "ada@example.org"
    assert session.status().logged_in
    # Once it succeeded, the login is used up.
    with pytest.raises(LoginRequired, match="already completed"):
        session.finish_login(code, state=request.state)


def test_wrong_code_keeps_tokens_and_login(
    session: GlobusSession, identity: Identity, globus_env: dict[str, str]
) -> None:
    before = stored_tokens(globus_env)
    request = session.start_login()

    for _ in range(2):
        with pytest.raises(UsageError, match="rejected the authorization code"):
            session.finish_login("WRONGCODE", state=request.state)
    assert stored_tokens(globus_env) == before

    code, _ = sandbox_authorize(request.authorize_url)
    assert session.finish_login(code, state=request.state) == identity


def test_rejected_login_still_expires(
    session: GlobusSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = session.start_login()
    code, _ = sandbox_authorize(request.authorize_url)
    with pytest.raises(UsageError):
        session.finish_login("WRONGCODE", state=request.state)

    # Pretend the login's lifetime passed while the user looked for the code.
    real_time = login_module.time.time
    monkeypatch.setattr(
        login_module.time,
        "time",
        lambda: real_time() + login_module.LOGIN_TTL_SECONDS + 1,
    )
    with pytest.raises(LoginRequired, match="expired"):
        session.finish_login(code, state=request.state)
