from django.urls import path

from daftari.documents import views

urlpatterns = [
    path("entries/<uuid:pk>/documents/new", views.issue, name="document_issue"),
    path("documents/fees/<uuid:pk>", views.fee_page, name="document_fee"),
    path("documents", views.station_documents, name="documents"),
    path("documents/<uuid:pk>", views.document_page, name="document"),
    path("documents/<uuid:pk>/pdf", views.document_pdf, name="document_pdf"),
    path("documents/<uuid:pk>/revoke", views.revoke, name="document_revoke"),
    path("documents/<uuid:pk>/evidence", views.evidence_for_extract, name="document_evidence"),
    path("verify", views.verify_form, name="verify"),
    path("verify/<str:code>", views.verify_page, name="verify_code"),
]
