from django.urls import path

from . import outcomes_views, over_time_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("waves/<int:wave_id>/schools/<str:urn>/", views.school, name="school"),
    path("waves/<int:wave_id>/trusts/<int:trust_id>/", views.trust, name="trust"),
    path(
        "waves/<int:wave_id>/schools/<str:urn>/over-time/",
        over_time_views.school_over_time_page,
        name="school_over_time",
    ),
    path(
        "waves/<int:wave_id>/trusts/<int:trust_id>/over-time/",
        over_time_views.trust_over_time_page,
        name="trust_over_time",
    ),
    path("waves/<int:wave_id>/global/", views.global_tables, name="global"),
    path(
        "waves/<int:wave_id>/global/over-time/",
        over_time_views.global_over_time_page,
        name="global_over_time",
    ),
    path(
        "waves/<int:wave_id>/global/outcomes/",
        outcomes_views.global_outcomes_page,
        name="global_outcomes",
    ),
    path("waves/<int:wave_id>/global/<slug:table>.csv", views.global_csv, name="global_csv"),
    path("waves/<int:wave_id>/status.json", views.wave_status, name="wave_status"),
]
