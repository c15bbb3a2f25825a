from django.urls import path

from daftari.occurrences import views

urlpatterns = [
    path("", views.today, name="today"),
    path("entries/new", views.new_entry, name="new_entry"),
    path("entries/person-hint", views.person_hint, name="person_hint"),
    path("entries/<uuid:pk>", views.entry_page, name="entry"),
    path("entries/<uuid:pk>/amend", views.amend, name="amend"),
    path("entries/<uuid:pk>/slip", views.slip, name="slip"),
    path("entries/<uuid:pk>/evidence", views.evidence_bundle, name="evidence"),
    path("search", views.search, name="search"),
]
