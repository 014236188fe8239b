"""Directory listings in Transfer's ``file_list`` shape, with filters and ordering.

Listing a page of a large folder stats only the entries on that page, unless a
filter or an ``orderby`` field needs more than the name. Sorted names are cached per
folder and dropped when the folder's modification time changes.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import grp
import os
import pwd
import stat
import threading
import typing as t
from pathlib import Path

from . import paths

ORDER_FIELDS = ("group", "last_modified", "name", "permissions", "size", "type", "user")
FILTER_FIELDS = ORDER_FIELDS
# Folders smaller than this are listed afresh each time: cheap, and never stale
# when two changes fall within one tick of the file system's clock.
CACHE_MIN_ENTRIES = 1000
MAX_LIMIT = 100_000


class ListingError(ValueError):
    """An invalid ``orderby`` or ``filter`` value; the message names it."""


def format_time(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode):
        return "chr"
    if stat.S_ISBLK(mode):
        return "blk"
    if stat.S_ISFIFO(mode):
        return "pipe"
    return "other"


def file_entry(root: Path, real: Path, name: str | None = None) -> dict[str, t.Any]:
    """Build one ``file`` document for ``real`` (which must exist, maybe as a link).

    A symlink whose target is inside the root is shown with its target's type and
    details and the ``link_*`` fields set. A broken symlink, or one that points
    outside the root, is an ``invalid_symlink`` whose target is not revealed.
    """
    info = os.lstat(real)
    entry: dict[str, t.Any] = {
        "DATA_TYPE": "file",
        "name": name if name is not None else real.name,
        "link_target": None,
        "link_user": None,
        "link_group": None,
        "link_size": None,
        "link_last_modified": None,
    }
    if stat.S_ISLNK(info.st_mode):
        target_info = None
        if paths.is_inside(root, real):
            try:
                target_info = os.stat(real)
            except OSError:
                target_info = None
        entry.update(
            link_user=_user_name(info.st_uid),
            link_group=_group_name(info.st_gid),
            link_size=info.st_size,
            link_last_modified=format_time(info.st_mtime),
        )
        if target_info is None:
            entry.update(_describe(info, "invalid_symlink"))
            return entry
        entry["link_target"] = paths.virtual_of(root, real)
        info = target_info
    entry.update(_describe(info, _file_type(info.st_mode)))
    return entry


def _describe(info: os.stat_result, kind: str) -> dict[str, t.Any]:
    return {
        "type": kind,
        "size": info.st_size,
        "permissions": f"{stat.S_IMODE(info.st_mode):04o}",
        "user": _user_name(info.st_uid),
        "group": _group_name(info.st_gid),
        "last_modified": format_time(info.st_mtime),
    }


# Ordering


def parse_orderby(text: str | None) -> list[tuple[str, bool]]:
    """Parse ``"name ASC,size DESC"`` into ``[(field, descending)]``."""
    if not text:
        return []
    order: list[tuple[str, bool]] = []
    for clause in text.split(","):
        words = clause.split()
        if not words or len(words) > 2:
            raise ListingError(f"Invalid orderby clause {clause!r}")
        field = words[0].lower()
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if field not in ORDER_FIELDS or direction not in ("ASC", "DESC"):
            raise ListingError(
                f"Invalid orderby clause {clause!r}: use one of "
                f"{', '.join(ORDER_FIELDS)}, optionally followed by ASC or DESC"
            )
        order.append((field, direction == "DESC"))
    return order


def sort_entries(
    entries: list[dict[str, t.Any]], order: list[tuple[str, bool]]
) -> list[dict[str, t.Any]]:
    # Stable sorts applied from the last key to the first give a multi-key order.
    result = sorted(entries, key=lambda e: e["name"])
    for field, descending in reversed(order):
        result.sort(key=functools.partial(_entry_key, field), reverse=descending)
    return result


def _entry_key(field: str, entry: dict[str, t.Any]) -> tuple[int, t.Any]:
    return _sort_key(entry[field])


def _sort_key(value: t.Any) -> tuple[int, t.Any]:
    return (0, value) if value is not None else (1, 0)


# Filters


class _Clause(t.NamedTuple):
    field: str
    values: tuple[str, ...]


def parse_filters(values: t.Sequence[str]) -> list[list[_Clause]]:
    """Parse ``filter`` parameters; an entry matches if it matches any of them.

    One parameter is ``field:value[/field:value...]``; its clauses must all match.
    ``name``, ``type``, ``permissions``, ``user`` and ``group`` take comma-separated
    patterns: ``=x`` (or ``x``) exact, ``~glob``, ``!x`` not equal, ``!~glob`` not
    matching. ``size`` takes a comparison (``>=100``); ``last_modified`` takes a
    ``start,end`` range (either end may be empty) or a comparison with a date.
    """
    groups = []
    for value in values:
        clauses = []
        for text in value.split("/"):
            field, colon, pattern = text.partition(":")
            field = field.strip().lower()
            if not colon or field not in FILTER_FIELDS:
                raise ListingError(
                    f"Invalid filter clause {text!r}: use field:value with a field "
                    f"among {', '.join(FILTER_FIELDS)}"
                )
            if field == "size":
                _parse_comparison(pattern, int, text)
            elif field == "last_modified":
                _parse_time_filter(pattern, text)
            clauses.append(_Clause(field, tuple(pattern.split(","))))
        groups.append(clauses)
    return groups


def needs_stat(order: list[tuple[str, bool]], filters: list[list[_Clause]]) -> bool:
    fields = {field for field, _ in order}
    fields.update(clause.field for group in filters for clause in group)
    return bool(fields - {"name"})


def matches(entry: dict[str, t.Any], filters: list[list[_Clause]]) -> bool:
    if not filters:
        return True
    return any(all(_clause_matches(entry, c) for c in group) for group in filters)


def _clause_matches(entry: dict[str, t.Any], clause: _Clause) -> bool:
    value = entry.get(clause.field)
    if clause.field == "size":
        compare, number = _parse_comparison(clause.values[0], int, "")
        return value is not None and compare(value, number)
    if clause.field == "last_modified":
        low, high = _parse_time_filter(",".join(clause.values), "")
        moment = str(value or "")[:19]
        return (not low or moment >= low) and (not high or moment <= high)

    positive = [p for p in clause.values if not p.startswith("!")]
    negative = [p[1:] for p in clause.values if p.startswith("!")]
    text = str(value or "")
    if any(_pattern_matches(text, p) for p in negative):
        return False
    return not positive or any(_pattern_matches(text, p) for p in positive)


def _pattern_matches(text: str, pattern: str) -> bool:
    if pattern.startswith("~"):
        return fnmatch.fnmatchcase(text, pattern[1:])
    if pattern.startswith("="):
        pattern = pattern[1:]
    return text == pattern


_COMPARISONS: dict[str, t.Callable[[t.Any, t.Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
}


def _parse_comparison(
    text: str, convert: t.Callable[[str], t.Any], clause: str
) -> tuple[t.Callable[[t.Any, t.Any], bool], t.Any]:
    compare = _COMPARISONS["="]
    for symbol, function in _COMPARISONS.items():
        if text.startswith(symbol):
            text = text[len(symbol) :]
            compare = function
            break
    try:
        return compare, convert(text.strip())
    except ValueError:
        raise ListingError(f"Invalid filter clause {clause!r}") from None


def _parse_time_filter(text: str, clause: str) -> tuple[str, str]:
    """Return inclusive ``(low, high)`` bounds as ``YYYY-MM-DD HH:MM:SS`` strings."""

    def as_time(value: str, *, end: bool) -> str:
        value = value.strip().replace("T", " ")
        if not value:
            return ""
        if len(value) == 10:
            value += " 23:59:59" if end else " 00:00:00"
        value = value[:19]
        try:
            datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ListingError(f"Invalid date in filter clause {clause!r}") from None
        return value

    if "," in text:
        low, _, high = text.partition(",")
        return as_time(low, end=False), as_time(high, end=True)
    for symbol in (">=", "<=", ">", "<", "="):
        if text.startswith(symbol):
            moment = text[len(symbol) :]
            if symbol.startswith(">"):
                return as_time(moment, end=False), ""
            if symbol.startswith("<"):
                return "", as_time(moment, end=True)
            return as_time(moment, end=False), as_time(moment, end=True)
    raise ListingError(f"Invalid filter clause {clause!r}: use start,end or >=date")


# Folder listing


class NameCache:
    """Sorted entry names of large folders, keyed by path and modification time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: dict[str, tuple[tuple[int, int], list[str]]] = {}

    def names(self, folder: Path) -> list[str]:
        info = os.stat(folder)
        key = (info.st_mtime_ns, info.st_ino)
        with self._lock:
            cached = self._names.get(str(folder))
        if cached is not None and cached[0] == key:
            return cached[1]
        names = sorted(os.listdir(folder))
        if len(names) >= CACHE_MIN_ENTRIES:
            with self._lock:
                self._names[str(folder)] = (key, names)
        return names

    def forget(self, folder: Path) -> None:
        with self._lock:
            self._names.pop(str(folder), None)


class Page(t.NamedTuple):
    entries: list[dict[str, t.Any]]
    total: int


def list_folder(
    root: Path,
    folder: Path,
    *,
    cache: NameCache,
    show_hidden: bool = True,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    order: list[tuple[str, bool]] | None = None,
    filters: list[list[_Clause]] | None = None,
) -> Page:
    """List ``folder`` (a real folder inside ``root``) as one page of entries."""
    order = order or []
    filters = filters or []
    names = cache.names(folder)
    if not show_hidden:
        names = [name for name in names if not name.startswith(".")]

    if not needs_stat(order, filters):
        # Names alone decide which entries are on the page: stat only those.
        if filters:
            names = [n for n in names if matches({"name": n}, filters)]
        if order and order[0][1]:
            names = names[::-1]
        entries = []
        for name in names[offset : offset + limit]:
            entry = _safe_entry(root, folder, name)
            if entry is not None:
                entries.append(entry)
        return Page(entries, len(names))

    everything = [e for n in names if (e := _safe_entry(root, folder, n)) is not None]
    selected = [e for e in everything if matches(e, filters)]
    selected = sort_entries(selected, order)
    return Page(selected[offset : offset + limit], len(selected))


def _safe_entry(root: Path, folder: Path, name: str) -> dict[str, t.Any] | None:
    # An entry removed between listdir and lstat is left out, as ls would.
    try:
        return file_entry(root, folder / name, name)
    except FileNotFoundError:
        return None
