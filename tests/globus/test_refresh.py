"""Staying logged in: refresh, rotation, revocation, check, logout."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import globus_sdk
import pytest

from tests.globus.conftest import SandboxControl
from tunel_jupyter.errors import GlobusFailure, LoginRequired
from tunel_jupyter.globus import GlobusSession, Identity
from tunel_jupyter.sandbox import Sandbox

TRANSFER = "transfer.api.globus.org"


def stored(globus_env: dict[str, str]) -> dict[str, object]:
    path = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus" / "tokens.json"
    data = json.loads(path.read_text())
    return data["environments"][globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]]


def transfer_tokens(globus_env: dict[str, str]) -> dict[str, object]:
    return stored(globus_env)["tokens"][TRANSFER]  # type: ignore[index,no-any-return]


def refresh_token_works(sandbox: Sandbox, refresh_token: str) -> bool:
    client = globus_sdk.NativeAppAuthClient(
        sandbox.native_client_id, base_url=sandbox.auth_url
    )
    answer = client.post(
        "/v2/oauth2/token/validate",
        data={"token": refresh_token, "client_id": sandbox.native_client_id},
        encoding="form",
    )
    return bool(answer["active"])


def test_refresh_after_server_expiry(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    globus_env: dict[str, str],
) -> None:
    session.search_endpoints(limit=1)
    before = transfer_tokens(globus_env)["access_token"]
    control.post("requests")
    assert control.expire_tokens() > 0

    page = session.search_endpoints(limit=1)

    assert len(page.records) == 1
    assert len(control.token_requests("refresh_token")) == 1
    assert transfer_tokens(globus_env)["access_token"] != before


def test_refresh_before_local_expiry(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    globus_env: dict[str, str],
) -> None:
    path = Path(globus_env["JUPYTER_DATA_DIR"]) / "tunel" / "globus" / "tokens.json"
    data = json.loads(path.read_text())
    record = data["environments"][globus_env["GLOBUS_SDK_SERVICE_URL_AUTH"]]
    record["tokens"][TRANSFER]["expires_at_seconds"] = int(time.time()) + 5
    path.write_text(json.dumps(data))
    control.post("requests")

    session.search_endpoints(limit=1)

    # The SDK renews a token that expires within a minute before using it.
    assert len(control.token_requests("refresh_token")) == 1
    assert transfer_tokens(globus_env)["expires_at_seconds"] > time.time() + 60


def test_rotation_stores_new_refresh_token(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    sandbox: Sandbox,
    globus_env: dict[str, str],
) -> None:
    control.options(rotate_refresh_tokens=True)
    old = str(transfer_tokens(globus_env)["refresh_token"])
    control.expire_tokens()

    session.search_endpoints(limit=1)

    new = str(transfer_tokens(globus_env)["refresh_token"])
    assert new != old
    assert not refresh_token_works(sandbox, old)
    assert refresh_token_works(sandbox, new)
    assert session.check().logged_in


def test_second_session_adopts_rotated_token(
    globus_env: dict[str, str],
    identity: Identity,
    control: SandboxControl,
) -> None:
    # Two sessions stand for two processes: each has its own authorizer.
    first, second = GlobusSession(max_retries=0), GlobusSession(max_retries=0)
    first.search_endpoints(limit=1)
    second.search_endpoints(limit=1)
    control.options(rotate_refresh_tokens=True)
    control.expire_tokens()
    control.post("requests")

    first.search_endpoints(limit=1)
    second.search_endpoints(limit=1)

    assert len(control.token_requests("refresh_token")) == 1
    assert first.status().logged_in
    assert second.status().logged_in


def test_threads_share_one_refresh(
    globus_env: dict[str, str],
    identity: Identity,
    control: SandboxControl,
) -> None:
    session = GlobusSession(max_retries=2)
    session.search_endpoints(limit=1)
    control.options(rotate_refresh_tokens=True)
    control.expire_tokens()
    control.post("requests")
    errors: list[BaseException] = []

    def call() -> None:
        try:
            session.search_endpoints(limit=1)
        except BaseException as err:  # collected for the assert below
            errors.append(err)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(control.token_requests("refresh_token")) == 1


def test_revoked_refresh_token_needs_login(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
) -> None:
    session.search_endpoints(limit=1)
    assert control.revoke() > 0

    with pytest.raises(LoginRequired) as caught:
        session.search_endpoints(limit=1)
    assert "log in again" in caught.value.message
    assert "tunel-globus login" in caught.value.message

    status = session.status()
    assert not status.logged_in
    assert status.reason is not None
    assert "log in again" in status.reason

    # The "log in again" state is known without asking Globus again.
    control.post("requests")
    with pytest.raises(LoginRequired, match="log in again"):
        GlobusSession().search_endpoints(limit=1)
    assert control.requests() == []


def test_check_proves_refresh_token(
    session: GlobusSession, identity: Identity, control: SandboxControl
) -> None:
    control.post("requests")
    assert session.check().logged_in
    paths = [entry["path"] for entry in control.requests()]
    assert "/auth/v2/oauth2/token/validate" in paths

    # An unexpired access token does not make a revoked login up to date.
    control.revoke()
    status = session.check()
    assert not status.logged_in
    assert status.reason is not None
    assert "log in again" in status.reason


def test_check_without_login(session: GlobusSession) -> None:
    status = session.check()
    assert not status.logged_in
    assert status.identity is None


def test_failed_refresh_keeps_tokens(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    globus_env: dict[str, str],
) -> None:
    session.search_endpoints(limit=1)
    before = stored(globus_env)["tokens"]
    control.expire_tokens()
    control.options(error_rate=1.0, error_statuses=[503])

    with pytest.raises(GlobusFailure) as caught:
        session.search_endpoints(limit=1)
    assert caught.value.globus_status == 503

    assert stored(globus_env)["tokens"] == before
    assert session.status().logged_in
    control.options(error_rate=0.0)
    assert session.search_endpoints(limit=1).records


def test_offline_refresh_keeps_tokens(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    sandbox: Sandbox,
    globus_env: dict[str, str],
) -> None:
    control.expire_tokens()
    before = stored(globus_env)["tokens"]
    sandbox.stop()

    with pytest.raises(GlobusFailure, match="Could not reach Globus"):
        session.search_endpoints(limit=1)
    with pytest.raises(GlobusFailure):
        session.check()

    assert stored(globus_env)["tokens"] == before
    assert session.status().logged_in


def test_logout_revokes_and_removes(
    session: GlobusSession,
    identity: Identity,
    sandbox: Sandbox,
    globus_env: dict[str, str],
) -> None:
    refresh_token = str(transfer_tokens(globus_env)["refresh_token"])

    assert session.logout() is True

    assert not refresh_token_works(sandbox, refresh_token)
    assert stored(globus_env).get("tokens") in (None, {})
    assert stored(globus_env)["client_id"] == globus_env["TUNEL_GLOBUS_CLIENT_ID"]
    assert not session.status().logged_in
    with pytest.raises(LoginRequired, match="tunel-globus login"):
        session.search_endpoints(limit=1)


def test_logout_offline_still_removes(
    session: GlobusSession,
    identity: Identity,
    sandbox: Sandbox,
    globus_env: dict[str, str],
) -> None:
    sandbox.stop()
    assert session.logout() is False
    assert stored(globus_env).get("tokens") in (None, {})
    assert not session.status().logged_in


def test_tokens_never_in_messages(
    session: GlobusSession,
    identity: Identity,
    control: SandboxControl,
    globus_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG", logger="tunel_jupyter")
    tokens = transfer_tokens(globus_env)
    control.expire_tokens()
    session.search_endpoints(limit=1)
    control.revoke()
    with pytest.raises(LoginRequired) as caught:
        session.search_endpoints(limit=1)

    secrets = [str(tokens["access_token"]), str(tokens["refresh_token"])]
    secrets += [str(v) for v in transfer_tokens_or_empty(globus_env).values()]
    text = caught.value.message + "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        if len(secret) > 12:
            assert secret not in text


def transfer_tokens_or_empty(globus_env: dict[str, str]) -> dict[str, object]:
    return stored(globus_env).get("tokens", {}).get(TRANSFER, {})  # type: ignore[union-attr,no-any-return]


def test_other_client_id_keeps_login(
    globus_env: dict[str, str],
    identity: Identity,
    control: SandboxControl,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = "0a7d8d47-0000-4000-8000-000000000002"
    control.expire_tokens()
    session = GlobusSession(client_id=other, max_retries=0)

    with pytest.raises(LoginRequired) as caught:
        session.search_endpoints(limit=1)

    assert other in caught.value.message
    assert globus_env["TUNEL_GLOBUS_CLIENT_ID"] in caught.value.message
    checked = session.check()
    assert not checked.logged_in
    assert checked.reason is not None
    assert other in checked.reason
    assert GlobusSession().status().logged_in
    assert GlobusSession().search_endpoints(limit=1).records
