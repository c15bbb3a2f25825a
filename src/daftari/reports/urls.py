from django.urls import path

from daftari.reports import views

urlpatterns = [
    path("start", views.start, name="start"),
    path("station", views.dashboard, name="station_dashboard"),
    path("station/cases", views.station_cases, name="station_cases"),
    path("station/notices", views.station_notices, name="station_notices"),
]
