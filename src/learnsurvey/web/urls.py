from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("learnsurvey.web.pupil.urls")),
    path("accounts/", include("learnsurvey.web.accounts.urls")),
    path("dashboards/", include("learnsurvey.web.dashboards.urls")),
    path("exports/", include("learnsurvey.web.exports.urls")),
    path("reports/", include("learnsurvey.web.reports.urls")),
    path("waves/", include("learnsurvey.web.waves.urls")),
    path("schools/", include("learnsurvey.web.schools.urls")),
    path("improvement/", include("learnsurvey.web.improvement.urls")),
    path("partners/", include("learnsurvey.web.partners.urls")),
    path("api/", include("learnsurvey.web.api.urls")),
    path("admin/", admin.site.urls),
]

# A database that is not answering is a 503 with Retry-After, never a 500 (unavailable.py).
handler500 = "learnsurvey.web.unavailable.server_error"
