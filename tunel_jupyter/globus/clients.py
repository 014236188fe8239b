"""Build globus-sdk clients with the session's timeout and retry settings."""

from __future__ import annotations

import dataclasses
import typing as t

if t.TYPE_CHECKING:
    import globus_sdk

    from .environment import Environment


@dataclasses.dataclass(frozen=True)
class ClientFactory:
    """Clients for one environment, with ``http_timeout`` and ``max_retries``.

    ``None`` keeps globus-sdk's defaults (60 s, or ``GLOBUS_SDK_HTTP_TIMEOUT``, and
    5 retries). Proxy variables and ``GLOBUS_SDK_VERIFY_SSL`` are read by
    globus-sdk's transport and keep working.
    """

    environment: Environment
    http_timeout: float | None = None
    max_retries: int | None = None

    def options(self, retries: int | None = None) -> dict[str, t.Any]:
        """Return the ``transport`` and ``retry_config`` arguments of a client.

        :param retries: an upper bound on the retries, for calls that should fail
            fast (revocation at logout).
        """
        import globus_sdk

        options: dict[str, t.Any] = {}
        if self.http_timeout is not None:
            options["transport"] = globus_sdk.transport.RequestsTransport(
                http_timeout=self.http_timeout
            )
        default = globus_sdk.transport.RetryConfig()
        max_retries = (
            default.max_retries if self.max_retries is None else self.max_retries
        )
        if retries is not None:
            max_retries = min(max_retries, retries)
        options["retry_config"] = globus_sdk.transport.RetryConfig(
            max_retries=max_retries, backoff=_make_backoff(default.backoff)
        )
        return options

    def native(
        self, client_id: str, *, retries: int | None = None
    ) -> globus_sdk.NativeAppAuthClient:
        """Return a native-app login client."""
        import globus_sdk

        return globus_sdk.NativeAppAuthClient(
            client_id, base_url=self.environment.auth_url, **self.options(retries)
        )

    def confidential(
        self, client_id: str, client_secret: str, *, retries: int | None = None
    ) -> globus_sdk.ConfidentialAppAuthClient:
        """Return a confidential-app login client."""
        import globus_sdk

        return globus_sdk.ConfidentialAppAuthClient(
            client_id,
            client_secret,
            base_url=self.environment.auth_url,
            **self.options(retries),
        )

    def auth(self, access_token: str) -> globus_sdk.AuthClient:
        """Return an Auth client that uses an access token."""
        import globus_sdk

        return globus_sdk.AuthClient(
            base_url=self.environment.auth_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(access_token),
            **self.options(),
        )

    def transfer(
        self, authorizer: globus_sdk.authorizers.GlobusAuthorizer
    ) -> globus_sdk.TransferClient:
        """Return a Transfer client."""
        import globus_sdk

        return globus_sdk.TransferClient(
            base_url=self.environment.transfer_url,
            authorizer=authorizer,
            **self.options(),
        )


def _make_backoff(
    default: t.Callable[[globus_sdk.transport.RetryContext], float],
) -> t.Callable[[globus_sdk.transport.RetryContext], float]:
    def backoff(context: globus_sdk.transport.RetryContext) -> float:
        # A 401 is retried right after the token is renewed: waiting gains nothing.
        if context.response is not None and context.response.status_code == 401:
            return 0.0
        return default(context)

    return backoff
