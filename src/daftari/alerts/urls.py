from django.urls import path

from daftari.alerts import views

urlpatterns = [
    path("alerts", views.register, name="alerts"),
    path("alerts/new", views.new_alert, name="new_alert"),
    path("alerts/<uuid:pk>", views.alert_page, name="alert"),
    path("alerts/<uuid:pk>/withdraw", views.withdraw, name="withdraw_alert"),
]
