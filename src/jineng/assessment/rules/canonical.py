"""The canonical JSON form a certificate's signature covers (pure: no Django).

A subset of RFC 8785 (JSON Canonicalization Scheme, JCS), chosen so that any JCS library gives
the same bytes for our payloads and a verifier in another language needs nothing special:

- objects' keys sorted by their UTF-16 code units (as JCS sorts them), every key a string;
- no whitespace: `,` between members and elements, `:` between key and value;
- strings as JSON.stringify writes them: only `"`, `\\` and control characters escaped
  (`\\b \\t \\n \\f \\r`, other controls as `\\u00xx`), everything else written as itself;
- the whole text encoded as UTF-8 (no byte order mark);
- values are strings, `true`, `false`, `null`, objects and arrays only. **Numbers and dates are
  written as strings** by whoever builds the payload (`"2026-12-05"`, `"42"`), so JCS's
  number serialization (ECMAScript shortest form) never comes into play; a number, a date
  object or anything else is refused with `TypeError`, as is a string holding a lone surrogate.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical", "canonical_text"]

_encode_string = json.JSONEncoder(ensure_ascii=False).encode


def _key(name: str) -> bytes:
    return name.encode("utf-16-be", "surrogatepass")


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for name in sorted(value, key=_checked_key):
            if not first:
                out.append(",")
            first = False
            out.append(_encode_string(name))
            out.append(":")
            _write(value[name], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"canonical JSON holds strings, booleans, null, objects and arrays "
                        f"only, not {type(value).__name__}")


def _checked_key(name: Any) -> bytes:
    if not isinstance(name, str):
        raise TypeError("canonical JSON object keys are strings")
    return _key(name)


_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         check_circular=False, allow_nan=False).encode


def _plain(value: Any) -> bool:
    """Whether `value` holds only what the canonical form allows, with keys that sort the same
    by code point as by UTF-16 code unit (no key character past U+FFFF). Raises TypeError on a
    value the form refuses."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return True
    if isinstance(value, dict):
        same_order = True
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError("canonical JSON object keys are strings")
            if same_order and not name.isascii() and max(name) > "\uffff":
                same_order = False
            if not _plain(item):
                same_order = False
        return same_order
    if isinstance(value, list):
        same_order = True
        for item in value:
            if not _plain(item):
                same_order = False
        return same_order
    if isinstance(value, tuple):
        for item in value:
            _plain(item)
        return False
    raise TypeError(f"canonical JSON holds strings, booleans, null, objects and arrays only, "
                    f"not {type(value).__name__}")


def canonical_text(value: Any) -> str:
    """The canonical form as text. Where code-point order is UTF-16 order (almost always),
    the C JSON encoder writes it (the same bytes, faster); otherwise the writer above."""
    if _plain(value):
        return _dumps(value)
    out: list[str] = []
    _write(value, out)
    return "".join(out)


def canonical(value: Any) -> bytes:
    """The canonical form as UTF-8 bytes (what is signed)."""
    try:
        return canonical_text(value).encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate
        raise TypeError("canonical JSON strings are valid Unicode") from error


def _refuse_number(text: str):
    raise ValueError(f"canonical JSON holds no numbers ({text})")


def loads_without_numbers(data: bytes | str) -> Any:
    """`json.loads` that refuses numbers, NaN and Infinity (ValueError): what the canonical
    form cannot hold never gets in."""
    return json.loads(data, parse_int=_refuse_number, parse_float=_refuse_number,
                      parse_constant=_refuse_number)


def canonical_of_parsed(value: Any, source: bytes) -> bytes:
    """The canonical form of `value` just read from `source` by `loads_without_numbers` (so it
    holds only strings, booleans, null, objects and arrays). The verifier's fast path: unless
    the source has a character past U+FFFF (a UTF-8 lead byte ≥ 0xF0) or a `\\ud…` escape (a
    surrogate), code-point order is JCS order and the C encoder writes the same bytes as
    `canonical`; otherwise `canonical` itself."""
    simple = (not source.translate(None, _BELOW_F0)
              and b"\\ud" not in source and b"\\uD" not in source)
    if simple:
        return _dumps(value).encode("utf-8")
    return canonical(value)


# Deleting these leaves only UTF-8 lead bytes of characters past U+FFFF (and invalid bytes).
_BELOW_F0 = bytes(range(0xF0))
