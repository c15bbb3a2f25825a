from django.urls import path

from daftari.refugees import views

urlpatterns = [
    path("refugees", views.search, name="refugee_register"),
    path("refugees/check", views.check_document, name="refugee_check_document"),
    path("refugees/figures", views.figures, name="refugee_figures"),
    path("refugees/people/new", views.register_person, name="refugee_new_person"),
    path("refugees/people/<uuid:pk>", views.person_page, name="refugee_person"),
    path("refugees/people/<uuid:pk>/status", views.record_status_step, name="refugee_status_step"),
    path("refugees/people/<uuid:pk>/documents/new", views.issue_document, name="refugee_issue_document"),
    path("refugees/documents/<uuid:pk>/code", views.document_code, name="refugee_document_code"),
    path("refugees/documents/<uuid:pk>/<slug:event>", views.document_event, name="refugee_document_event"),
    path("refugees/households/<str:number>", views.household_page, name="refugee_household"),
    path("refugees/households/<str:number>/merge", views.merge_household, name="refugee_household_merge"),
    path("refugees/households/<str:number>/split", views.split_household, name="refugee_household_split"),
    path("refugees/people/<uuid:pk>/corrections/new", views.open_correction, name="refugee_open_correction"),
    path("refugees/proposals", views.match_proposals, name="refugee_match_proposals"),
    path("refugees/corrections/<uuid:pk>", views.correction_page, name="refugee_correction"),
    path("refugees/corrections/<uuid:pk>/decide", views.decide_correction, name="refugee_decide_correction"),
    path("refugees/corrections/<uuid:pk>/letter", views.correction_letter, name="refugee_correction_letter"),
    path("verify/refugee/<str:code>", views.verify, name="refugee_verify"),
]
