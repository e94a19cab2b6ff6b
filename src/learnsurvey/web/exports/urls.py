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
    path("waves/<int:wave_id>/global/<slug:table>.<slug:fmt>", views.global_table, name="global"),
    path("waves/<int:wave_id>/responses.<slug:fmt>", views.responses, name="responses"),
]
