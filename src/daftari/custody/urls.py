from django.urls import path

from daftari.custody import views

urlpatterns = [
    path("custody", views.board, name="custody_board"),
    path("custody/compliance", views.compliance, name="custody_compliance"),
    path("custody/book-in/<uuid:arrest_pk>", views.new_booking, name="custody_book_in"),
    path("custody/<uuid:pk>", views.record_page, name="custody_record"),
    path("custody/<uuid:pk>/events", views.add_event, name="custody_event"),
    path("custody/<uuid:pk>/property", views.return_items, name="custody_property"),
    path("custody/<uuid:pk>/receipt", views.receipt, name="custody_receipt"),
]
