"""Included URLconfs that are imported when they are first needed, and the warm-up that
imports them all.

Django imports an included URLconf (and so its views, and what they import: the dashboards
and reports bring pandas, scipy and Altair) when the including URLconf is read, and
populates every included resolver when any name is first reversed. A fresh process that
answers a pupil's page would pay for all of it. :func:`lazy_include` defers an app's URLconf
until a path under its prefix is resolved or a name in its namespace is reversed, so that a
fresh process answers a pupil's URLs with the pupil app alone; :func:`load_all` imports
every URLconf at once, for a server that loads the application before forking its workers
(``learnsurvey.web.wsgi``).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.datastructures import MultiValueDict

__all__ = ["LazyURLResolver", "lazy_include", "load_all"]


class LazyURLResolver(URLResolver):
    """An included, namespaced URLconf imported on its first own use.

    The including resolver reads only the namespace and app name, which are given here, so
    its reversing table is built without this URLconf; the URLconf is imported when a path
    under this prefix is resolved (``url_patterns``) or when a name in this namespace is
    reversed (this resolver's own tables).
    """

    _wanted = False

    def _populate(self) -> None:
        # Django's including resolver calls this on every included resolver while it
        # populates itself; until one of this resolver's own tables is asked for, there is
        # nothing it needs from here.
        if self._wanted:
            super()._populate()

    def _want(self) -> None:
        self._wanted = True

    @property
    def reverse_dict(self) -> MultiValueDict[Any, Any]:
        self._want()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> dict[str, tuple[str, URLResolver]]:
        self._want()
        return super().namespace_dict

    @property
    def app_dict(self) -> dict[str, list[str]]:
        self._want()
        return super().app_dict

    def _is_callback(self, name: str) -> bool:
        self._want()
        return super()._is_callback(name)


def lazy_include(route: str, module: str, app_name: str) -> LazyURLResolver:
    """``path(route, include(module))`` for a URLconf whose ``app_name`` is ``app_name``
    (also its namespace), imported when first needed.

    ``app_name`` is given rather than read from the module, which is what keeps the module
    unimported; tests/web/test_lazy_urls.py checks that the two agree.
    """
    return LazyURLResolver(
        RoutePattern(route, is_endpoint=False), module, app_name=app_name, namespace=app_name
    )


def load_all(urlconf: str | None = None) -> int:
    """Import every included URLconf and every view, and build the reversing tables, as a
    process's first requests would; returns the number of URL patterns.

    For a server that loads the application once and then forks its workers (gunicorn's
    ``--preload``): the workers start with all of it already imported."""
    count = 0
    stack: list[URLResolver] = [get_resolver(urlconf)]
    while stack:
        resolver = stack.pop()
        if isinstance(resolver, LazyURLResolver):
            resolver._want()
        resolver.reverse_dict  # noqa: B018 - builds the resolver's reversing tables
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                stack.append(pattern)
            else:
                count += 1
    return count
