"""The Globus environment in use: which Auth and Transfer services to talk to."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import typing as t
import urllib.parse

from ..errors import UsageError

BROWSER_AUTH_URL_VARIABLE = "TUNEL_GLOBUS_AUTH_BROWSER_URL"
ENVIRONMENT_VARIABLE = "GLOBUS_SDK_ENVIRONMENT"
AUTH_URL_VARIABLE = "GLOBUS_SDK_SERVICE_URL_AUTH"
TRANSFER_URL_VARIABLE = "GLOBUS_SDK_SERVICE_URL_TRANSFER"

# Hosts run by Globus itself: production and preview under globus.org, the
# internal environments (sandbox, integration, test, staging) under globuscs.info.
_GLOBUS_DOMAINS = ("globus.org", "globuscs.info")


@dataclasses.dataclass(frozen=True)
class Environment:
    """A Globus environment: the Auth and Transfer base URLs and how to show them.

    ``auth_url`` is what token calls use and the key under which tokens are stored.
    ``browser_auth_url`` is the Auth URL as a browser reaches it; it differs from
    ``auth_url`` only when the Jupyter server proxies the sandbox's pages.
    """

    name: str
    auth_url: str
    transfer_url: str
    browser_auth_url: str

    @classmethod
    def current(cls) -> Environment:
        """Read the environment from the variables globus-sdk reads.

        ``GLOBUS_SDK_ENVIRONMENT`` names the environment (default ``production``),
        ``GLOBUS_SDK_SERVICE_URL_AUTH`` and ``GLOBUS_SDK_SERVICE_URL_TRANSFER``
        override the service URLs, and ``TUNEL_GLOBUS_AUTH_BROWSER_URL`` sets
        ``browser_auth_url``.
        """
        # As globus-sdk reads them: a service URL variable comes ahead of the
        # named environment, so a sandbox's URLs need no import of globus-sdk.
        name = os.environ.get(ENVIRONMENT_VARIABLE, "production")
        auth_url = _service_url(AUTH_URL_VARIABLE)
        transfer_url = _service_url(TRANSFER_URL_VARIABLE)
        if not (auth_url and transfer_url):
            from globus_sdk.config import get_service_url

            try:
                auth_url = get_service_url("auth", environment=name)
                transfer_url = get_service_url("transfer", environment=name)
            except ValueError as err:
                raise UsageError(
                    f"Unknown Globus environment {name!r} in GLOBUS_SDK_ENVIRONMENT: "
                    "use production or preview, or set GLOBUS_SDK_SERVICE_URL_AUTH "
                    "and GLOBUS_SDK_SERVICE_URL_TRANSFER.",
                    field="environment",
                ) from err
        return cls.from_urls(
            auth_url,
            transfer_url,
            name=name,
            browser_auth_url=os.environ.get(BROWSER_AUTH_URL_VARIABLE) or None,
        )

    @classmethod
    def from_urls(
        cls,
        auth_url: str,
        transfer_url: str,
        *,
        name: str = "production",
        browser_auth_url: str | None = None,
    ) -> Environment:
        """Build an environment from explicit service URLs (a sandbox, for example)."""
        auth_url = _with_slash(auth_url)
        return cls(
            name=name,
            auth_url=auth_url,
            transfer_url=_with_slash(transfer_url),
            browser_auth_url=_with_slash(browser_auth_url or auth_url),
        )

    @property
    def is_sandbox(self) -> bool:
        """Whether the Auth URL points somewhere other than Globus's own hosts."""
        host = (urllib.parse.urlsplit(self.auth_url).hostname or "").lower()
        if _is_loopback(host):
            return True
        return not any(host == d or host.endswith("." + d) for d in _GLOBUS_DOMAINS)

    @property
    def label(self) -> str:
        """The environment as people see it in messages and page titles."""
        if self.is_sandbox:
            return f"tunel-jupyter sandbox at {self.auth_url}"
        return "Globus"

    @property
    def auth_code_url(self) -> str:
        """Globus Auth's own page that shows the code to paste (token calls side)."""
        return self.auth_url + "v2/web/auth-code"

    def to_dict(self) -> dict[str, t.Any]:
        """Return the environment as JSON-ready data."""
        return {
            "name": self.name,
            "auth_url": self.auth_url,
            "transfer_url": self.transfer_url,
            "browser_auth_url": self.browser_auth_url,
            "is_sandbox": self.is_sandbox,
            "label": self.label,
        }


def _service_url(variable: str) -> str | None:
    """Return the URL in ``variable`` (``None`` when unset or empty).

    :raises UsageError: if the URL has no http(s) scheme or no host.
    """
    url = os.environ.get(variable)
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"Invalid {variable} {url!r}: use a full URL such as "
            "'http://127.0.0.1:8000/auth/', or unset the variable.",
            field=variable,
        )
    return url


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
