from django.contrib.auth import views as auth_views
from django.urls import path

from daftari.stations import views
from daftari.stations.forms import SignInForm

urlpatterns = [
    path(
        "signin",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=SignInForm,
        ),
        name="login",
    ),
    path("signout", auth_views.LogoutView.as_view(), name="logout"),
    path("access-log", views.access_log, name="access_log"),
    path("password", views.change_password, name="change_password"),
    path("second-factor", views.second_factor, name="second_factor"),
    path("second-factor/enrol", views.second_factor_enrol, name="second_factor_enrol"),
]
