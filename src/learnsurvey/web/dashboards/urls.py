from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("waves/<int:wave_id>/schools/<str:urn>/", views.school, name="school"),
    path("waves/<int:wave_id>/trusts/<int:trust_id>/", views.trust, name="trust"),
    path("waves/<int:wave_id>/global/", views.global_tables, name="global"),
    path("waves/<int:wave_id>/global/<slug:table>.csv", views.global_csv, name="global_csv"),
]
