from django.contrib import admin
from django.urls import include, path

from learnsurvey.web.lazyurls import lazy_include

# The pupil app is included as usual: its prefix is empty, so every path is tried against
# it first. The others are imported when a path under their prefix is resolved or one of
# their names reversed (lazyurls.py): a worker's first pupil request does not wait for the
# dashboards' and reports' views, nor pandas, scipy and Altair behind them.
urlpatterns = [
    path("", include("learnsurvey.web.pupil.urls")),
    lazy_include("accounts/", "learnsurvey.web.accounts.urls", "accounts"),
    lazy_include("dashboards/", "learnsurvey.web.dashboards.urls", "dashboards"),
    lazy_include("exports/", "learnsurvey.web.exports.urls", "exports"),
    lazy_include("reports/", "learnsurvey.web.reports.urls", "reports"),
    lazy_include("waves/", "learnsurvey.web.waves.urls", "waves"),
    lazy_include("schools/", "learnsurvey.web.schools.urls", "schools"),
    lazy_include("improvement/", "learnsurvey.web.improvement.urls", "improvement"),
    lazy_include("partners/", "learnsurvey.web.partners.urls", "partners"),
    lazy_include("api/", "learnsurvey.web.api.urls", "api"),
    path("admin/", admin.site.urls),
]

# A database that is not answering is a 503 with Retry-After, never a 500 (unavailable.py).
handler500 = "learnsurvey.web.unavailable.server_error"
