from django.contrib.auth import views as auth_views
from django.urls import path

from daftari.stations import views

urlpatterns = [
    path(
        "signin",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("signout", auth_views.LogoutView.as_view(), name="logout"),
    path("access-log", views.access_log, name="access_log"),
    path("password", views.change_password, name="change_password"),
]
