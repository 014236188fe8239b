"""Problems a new user ran into with the Globus core, checked against the sandbox."""

from __future__ import annotations

import pytest

from tunel_jupyter.errors import UsageError
from tunel_jupyter.globus import GlobusSession


@pytest.mark.parametrize("source", ["argument", "variable"])
def test_client_id_not_uuid_rejected_early(
    globus_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "variable":
        monkeypatch.setenv("TUNEL_GLOBUS_CLIENT_ID", "my-app")
        session = GlobusSession(max_retries=0)
    else:
        session = GlobusSession(client_id="my-app", max_retries=0)
    try:
        with pytest.raises(UsageError) as caught:
            session.start_login()
    finally:
        session.close()
    assert "'my-app'" in caught.value.message
    assert "UUID" in caught.value.message
    assert caught.value.field == "client_id"
