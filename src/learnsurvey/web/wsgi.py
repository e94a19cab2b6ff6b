"""The WSGI application; warmed before the process forks.

The URLconf imports the dashboards', reports' and exports' views (and pandas, scipy and
Altair behind them) only when they are first needed (``lazyurls``): a worker that imports
this module answers a pupil without them. A server that loads the application once and
then forks its workers (gunicorn's ``--preload``) had better import everything first, once,
so that every worker starts with it and none of their requests waits for it: this module
does that just before the process's first fork, and never in a process that does not fork.
"""

import os
from functools import cache

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnsurvey.web.settings")
application = get_wsgi_application()


@cache
def warm() -> None:
    """Import every view and template tag library and build the URL tables, as a process's
    first requests of every kind would."""
    from django.template import engines

    from learnsurvey.web.lazyurls import load_all

    load_all()
    engines.all()  # building the engines imports every app's template tag libraries


# Only os.fork() runs this (subprocess does not): gunicorn's master forking its workers.
os.register_at_fork(before=warm)
