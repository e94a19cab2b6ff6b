from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("import/outcomes/", views.import_outcomes, name="import_outcomes"),
]
