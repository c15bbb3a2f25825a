from django.urls import path

from daftari.nodes import views

urlpatterns = [
    path("mirrored/<uuid:pk>", views.mirrored_entry, name="mirrored_entry"),
]
