from django.urls import path

from daftari.portal import views

urlpatterns = [
    path("", views.index, name="portal_index"),
    path("status", views.status, name="portal_status"),
]
