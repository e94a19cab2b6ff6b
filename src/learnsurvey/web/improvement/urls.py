from django.urls import path

from . import views

app_name = "improvement"
urlpatterns = [
    path("schools/<str:urn>/", views.school_priorities, name="school"),
    path(
        "schools/<str:urn>/years/<str:year>/choose/",
        views.choose_priorities,
        name="choose",
    ),
    path("schools/<str:urn>/priorities/<int:pk>/", views.priority_page, name="priority"),
    path("schools/<str:urn>/priorities/<int:pk>/edit/", views.edit_priority, name="edit"),
    path(
        "schools/<str:urn>/priorities/<int:pk>/actions/add/",
        views.add_action,
        name="add_action",
    ),
    path(
        "schools/<str:urn>/priorities/<int:pk>/actions/<int:action_pk>/edit/",
        views.edit_action,
        name="edit_action",
    ),
    path(
        "schools/<str:urn>/adopt/<int:tp_pk>/",
        views.adopt_trust_priority,
        name="adopt",
    ),
    path("trusts/<int:trust_id>/", views.trust_priorities, name="trust"),
    path(
        "trusts/<int:trust_id>/priorities/add/",
        views.add_trust_priority,
        name="add_trust_priority",
    ),
]
