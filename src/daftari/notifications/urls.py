from django.urls import path

from daftari.notifications import views

urlpatterns = [
    path("sms/delivery-report/<str:token>/", views.delivery_report, name="sms_delivery_report"),
]
