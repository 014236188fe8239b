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
        """Apply ``changes`` after checking names, types and ranges.

        :raises ValueError: naming the option; no option changes then.
        """
        fields = {field.name for field in dataclasses.fields(self)}
        checked = {}
        for name, value in changes.items():
            if name not in fields:
                raise ValueError(
                    f"unknown sandbox option {name!r}; known options: "
                    + ", ".join(sorted(fields))
                )
            checked[name] = _coerce_option(name, value)
        for name, value in checked.items():
            setattr(self, name, value)


# Upper bounds of the whole-number options. A larger latency would stall every
# request, and ten years outlasts any test or demo.
_TEN_YEARS = 10 * 365 * 24 * 3600
MAX_VALUES = {
    "latency_ms": 60_000,
    "access_token_lifetime": _TEN_YEARS,
    "auth_code_lifetime": _TEN_YEARS,
}


def _coerce_option(name: str, value: t.Any) -> t.Any:
    if name == "rotate_refresh_tokens":
        if not isinstance(value, bool):
            raise ValueError(f"option {name} must be true or false, not {value!r}")
        return value
    if name == "error_statuses":
        if not isinstance(value, (list, tuple)) or not value:
            raise ValueError(f"option {name} must list HTTP error statuses: {value!r}")
        statuses = tuple(_whole_number(name, status) for status in value)
        if not all(400 <= status <= 599 for status in statuses):
            raise ValueError(f"option {name} must list HTTP error statuses: {value!r}")
        return statuses
    if name == "error_rate":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"option {name} must be a number, not {value!r}")
        try:
            rate = float(value)
        except ValueError:
            raise ValueError(f"option {name} must be a number, not {value!r}") from None
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"option {name} must be between 0 and 1, not {value!r}")
        return rate
    number = _whole_number(name, value)
    maximum = MAX_VALUES.get(name)
    if number < 0 or (maximum is not None and number > maximum):
        limit = f"0 to {maximum}" if maximum is not None else "0 or more"
        raise ValueError(f"option {name} must be a whole number {limit}, not {value!r}")
    return number


def _whole_number(name: str, value: t.Any) -> int:
    """Return ``value`` as an int, accepting only whole numbers (or their text)."""
    if isinstance(value, bool):
        raise ValueError(f"option {name} must be a whole number, not {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"option {name} must be a whole number, not {value!r}")
