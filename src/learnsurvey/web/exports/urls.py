from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path(
        "waves/<int:wave_id>/schools/<str:urn>/<slug:table>.<slug:fmt>",
        views.school_table,
        name="school",
    ),
    path(
        "waves/<int:wave_id>/trusts/<int:trust_id>/<slug:table>.<slug:fmt>",
        views.trust_table,
        name="trust",
    ),
    path(
        "waves/<int:wave_id>/schools/<str:urn>/over-time/<slug:table>.<slug:fmt>",
        views.school_over_time_table,
        name="school_over_time",
    ),
    path(
        "waves/<int:wave_id>/trusts/<int:trust_id>/over-time/<slug:table>.<slug:fmt>",
        views.trust_over_time_table,
        name="trust_over_time",
    ),
    path(
        "waves/<int:wave_id>/global/over-time/<slug:table>.<slug:fmt>",
        views.global_over_time_table,
        name="global_over_time",
    ),
    path("waves/<int:wave_id>/global/<slug:table>.<slug:fmt>", views.global_table, name="global"),
    path("waves/<int:wave_id>/responses.<slug:fmt>", views.responses, name="responses"),
]
