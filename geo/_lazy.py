"""Lazy attributes for packages: names resolve to their module on first use.

A package lists which module defines each public name; :func:`lazy_module`
returns the ``__getattr__`` and ``__dir__`` for that package, so importing
the package costs nothing until a name is used. Submodules listed in
``submodules`` import on first attribute access too (``geo.layers``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_module"]


def lazy_module(
    package: str, names: Mapping[str, str], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build ``__getattr__`` and ``__dir__`` for a package with lazily imported names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : mapping of str to str
        Public name to the module that defines it; ``"module:attr"`` when the
        attribute is spelled differently there.
    submodules : iterable of str
        Submodules reachable as attributes (``package.sub``).

    Returns
    -------
    (callable, callable)
        The module-level ``__getattr__`` and ``__dir__``.

    Examples
    --------
    >>> getattr_, dir_ = lazy_module("geo", {"geodesic_km": "geo.geodesy"}, ["zones"])
    >>> getattr_("geodesic_km").__name__
    'geodesic_km'
    >>> getattr_("zones").__name__
    'geo.zones'
    >>> getattr_("nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'geo' has no attribute 'nothing'
    """
    subs = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        if name in names:
            module, _, attr = names[name].partition(":")
            return getattr(importlib.import_module(module), attr or name)
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*names, *subs})

    return __getattr__, __dir__
