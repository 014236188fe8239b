"""Run-time options of the sandbox: faults, latency and token lifetimes."""

from __future__ import annotations

import dataclasses
import typing as t


@dataclasses.dataclass
class SandboxOptions:
    """Behaviour knobs, changeable at run time through ``/_sandbox/options``.

    ``latency_ms`` is added to every Globus request. A share ``error_rate`` (0.0 to
    1.0) of them fails with one of ``error_statuses``. Lifetimes are in seconds.
    """

    access_token_lifetime: int = 172800
    auth_code_lifetime: int = 600
    rotate_refresh_tokens: bool = False
    latency_ms: int = 0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    # Copy speed of Transfer tasks in bytes per second; 0 copies at full speed.
    transfer_bytes_per_second: int = 0

    def to_dict(self) -> dict[str, t.Any]:
        data = dataclasses.asdict(self)
        data["error_statuses"] = list(self.error_statuses)
        return data

    def update(self, changes: t.Mapping[str, t.Any]) -> None:
        """Apply ``changes`` after checking names and types; raise ``ValueError``."""
        fields = {field.name: field for field in dataclasses.fields(self)}
        for name, value in changes.items():
            if name not in fields:
                raise ValueError(
                    f"unknown sandbox option {name!r}; known options: "
                    + ", ".join(sorted(fields))
                )
            setattr(self, name, _coerce_option(name, value))


def _coerce_option(name: str, value: t.Any) -> t.Any:
    if name == "rotate_refresh_tokens":
        if not isinstance(value, bool):
            raise ValueError(f"option {name} must be true or false, not {value!r}")
        return value
    if name == "error_statuses":
        statuses = tuple(int(status) for status in value)
        if not all(400 <= status <= 599 for status in statuses) or not statuses:
            raise ValueError(f"option {name} must list HTTP error statuses: {value!r}")
        return statuses
    if name == "error_rate":
        rate = float(value)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"option {name} must be between 0 and 1, not {value!r}")
        return rate
    number = int(value)
    if number < 0 or isinstance(value, bool):
        raise ValueError(f"option {name} must be a whole number >= 0, not {value!r}")
    return number
