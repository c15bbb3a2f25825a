from django.urls import path

from daftari.fines import views

urlpatterns = [
    path("fines/issue", views.issue, name="fines_issue"),
    path("fines/issue/sms-language", views.sms_language, name="fines_sms_language"),
    path("fines/mine", views.my_notices, name="my_notices"),
    path("fines/figures", views.figures, name="fines_figures"),
    path("fines/repeat", views.repeat, name="fines_repeat"),
    path("fines/notices/<str:number>", views.notice_page, name="fines_notice"),
    path("fines/notices/<str:number>/photo", views.notice_photo, name="fines_notice_photo"),
    path("fines/notices/<str:number>/prompt", views.send_prompt, name="fines_prompt"),
    path("fines/notices/<str:number>/cancel", views.cancel, name="fines_cancel"),
    path("fines/notices/<str:number>/contest", views.contest, name="fines_contest"),
    path("fines/notices/<str:number>/court-outcome", views.court_outcome, name="fines_court_outcome"),
    path("fines/reconciliation", views.reconciliation, name="fines_reconciliation"),
    path("verify/notice/<str:number>", views.verify, name="fines_verify"),
    path("pay/notice", views.pay, name="pay_fine"),
    path("pay/notice/<str:number>", views.pay, name="pay_fine_number"),
    path("pay/notice/<str:number>/status", views.pay_status, name="pay_fine_status"),
]
