from django.urls import path

from daftari.deployments import views

urlpatterns = [
    path("deployments", views.home, name="deployments"),
    path("deployments/missions/new", views.new_mission, name="deployments_new_mission"),
    path("deployments/contingents/new", views.new_contingent, name="deployments_new_contingent"),
    path("deployments/contingents/<uuid:pk>", views.board, name="readiness_board"),
    path("deployments/contingents/<uuid:pk>/nominate", views.nominate, name="deployments_nominate"),
    path("deployments/candidates/<uuid:pk>/results", views.record_result_page, name="deployments_result"),
    path("deployments/candidates/<uuid:pk>/vetting", views.vetting, name="deployments_vetting"),
    path("deployments/candidates/<uuid:pk>/evidence/<uuid:entry_id>", views.evidence, name="deployments_evidence"),
    path(
        "deployments/candidates/<uuid:pk>/evidence/custody/<uuid:custody_id>",
        views.custody_evidence,
        name="deployments_custody_evidence",
    ),
    path("deployments/candidates/<uuid:pk>/training", views.training, name="deployments_training"),
    path("deployments/candidates/<uuid:pk>/documents", views.documents, name="deployments_documents"),
    path("deployments/documents/expiring", views.expiring, name="deployments_expiring"),
    path("deployments/candidates/<uuid:pk>/certify", views.certify, name="deployments_certify"),
    path("deployments/candidates/<uuid:pk>/conduct", views.conduct, name="deployments_conduct"),
    path("deployments/candidates/<uuid:pk>/disciplinary", views.disciplinary, name="deployments_disciplinary"),
    path("deployments/candidates/<uuid:pk>/tour", views.tour, name="deployments_tour"),
    path("deployments/letters/<uuid:pk>.pdf", views.letter_pdf, name="deployments_letter"),
    path("deployments/contingents/<uuid:pk>/certify", views.certify_contingent, name="deployments_certify_contingent"),
    path(
        "deployments/contingent-letters/<uuid:pk>.pdf",
        views.contingent_letter_pdf,
        name="deployments_contingent_letter",
    ),
    path("verify/deployment/<str:code>", views.verify, name="deployments_verify"),
    path(
        "deployments/candidates/<uuid:pk>/training/certificate",
        views.issue_certificate,
        name="deployments_training_certificate",
    ),
]
