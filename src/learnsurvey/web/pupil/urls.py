from django.urls import path

from . import codes, endpoint, views

app_name = "pupil"
urlpatterns = [
    path("", views.start, name="start"),
    path("thanks/", views.thanks, name="thanks"),
    path("s/<str:code>/", views.choose_language, name="language"),
    path("s/<str:code>/about/", views.about, name="about"),
    path("s/<str:code>/role/", views.role, name="role"),
    path("s/<str:code>/survey/", views.survey, name="survey"),
    path("s/<str:code>/submit/", views.submit_form, name="submit"),
    path("s/<str:code>/responses", endpoint.submit_json, name="responses"),
    path("schools/<str:urn>/codes/", codes.code_list, name="codes"),
    path("schools/<str:urn>/codes/sheet/", codes.code_sheet, name="code_sheet"),
    path(
        "schools/<str:urn>/codes/<int:pk>/activate/",
        codes.activate_code,
        name="activate_code",
    ),
    path(
        "schools/<str:urn>/codes/<int:pk>/deactivate/",
        codes.deactivate_code,
        name="deactivate_code",
    ),
]
