from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .signin import SignInView

app_name = "accounts"
urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("language/", views.choose_language, name="language"),
]
