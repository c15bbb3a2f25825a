from django.urls import path

from daftari.reports import views

urlpatterns = [
    path("start", views.start, name="start"),
    path("figures/crimes", views.crime_figures, name="crime_figures"),
    path("figures/crimes.csv", views.crime_figures, name="crime_figures_csv"),
    path("figures/crimes/return.pdf", views.crime_return, {"fmt": "pdf"}, name="crime_return_pdf"),
    path("figures/crimes/return.csv", views.crime_return, {"fmt": "csv"}, name="crime_return_csv"),
    path("station", views.dashboard, name="station_dashboard"),
    path("station/cases", views.station_cases, name="station_cases"),
    path("station/notices", views.station_notices, name="station_notices"),
]
