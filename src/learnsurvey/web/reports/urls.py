from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("vega.js", views.vega, name="vega"),
    path("waves/<int:wave_id>/schools/<str:urn>/", views.school_report, name="school"),
    path("waves/<int:wave_id>/schools/<str:urn>/view/", views.school_view, name="school_view"),
    path("waves/<int:wave_id>/trusts/<int:trust_id>/", views.trust_report, name="trust"),
    path("waves/<int:wave_id>/trusts/<int:trust_id>/view/", views.trust_view, name="trust_view"),
    path("waves/<int:wave_id>/global/", views.global_report, name="global"),
    path("waves/<int:wave_id>/global/view/", views.global_view, name="global_view"),
    path("waves/<int:wave_id>/all-schools/", views.all_schools_report, name="all_schools"),
    path("runs/<int:run_id>/", views.run_status, name="run"),
    path("runs/<int:run_id>/report.pdf", views.download_pdf, name="pdf"),
    path("runs/<int:run_id>/report.html", views.open_html, name="html"),
    path("runs/<int:run_id>/reports.zip", views.download_zip, name="zip"),
    # The standalone HTML file loads its charts' script from beside it.
    path("runs/<int:run_id>/assets/vega.js", views.vega, name="run_vega"),
]
