from django.urls import path

from daftari.payments import views

urlpatterns = [
    path("payments/daraja/<str:token>/stk", views.stk_callback, name="daraja_stk"),
    path("payments/daraja/<str:token>/c2b/validation", views.c2b_validation, name="daraja_c2b_validation"),
    path("payments/daraja/<str:token>/c2b/confirmation", views.c2b_confirmation, name="daraja_c2b_confirmation"),
    path("payments/daraja/<str:token>/status/result", views.status_result, name="daraja_status_result"),
    path("payments/daraja/<str:token>/status/timeout", views.status_timeout, name="daraja_status_timeout"),
]
