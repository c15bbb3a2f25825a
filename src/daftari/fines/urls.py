from django.urls import path

from daftari.fines import views

urlpatterns = [
    path("fines/issue", views.issue, name="fines_issue"),
    path("fines/figures", views.figures, name="fines_figures"),
    path("fines/repeat", views.repeat, name="fines_repeat"),
    path("fines/notices/<str:number>", views.notice_page, name="fines_notice"),
    path("fines/notices/<str:number>/cancel", views.cancel, name="fines_cancel"),
    path("verify/notice/<str:number>", views.verify, name="fines_verify"),
    path("pay/notice", views.pay, name="pay_fine"),
    path("pay/notice/<str:number>", views.pay, name="pay_fine_number"),
]
