from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("schools/<str:urn>/", views.school_partners, name="school"),
    path("schools/<str:urn>/open/", views.set_open, name="set_open"),
    path("schools/<str:urn>/suggestions/", views.suggestions, name="suggestions"),
    path("schools/<str:urn>/ask/<str:to_urn>/", views.send_request, name="request"),
    path("schools/<str:urn>/requests/<int:pk>/accept/", views.accept_request, name="accept"),
    path("schools/<str:urn>/requests/<int:pk>/decline/", views.decline_request, name="decline"),
]
