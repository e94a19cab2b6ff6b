from django.urls import path

from . import views

app_name = "waves"
urlpatterns = [
    path("<int:wave_id>/register/", views.register, name="register"),
    path("<int:wave_id>/register/thanks/", views.registered, name="registered"),
    path(
        "registrations/<int:pk>/confirm/",
        views.confirm_registration,
        name="confirm_registration",
    ),
    path("import/schools/", views.import_schools, name="import_schools"),
    path("<int:wave_id>/import/responses/", views.import_responses, name="import_responses"),
]
