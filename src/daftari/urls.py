from django.contrib import admin
from django.urls import include, path

from daftari.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("public/", include("daftari.portal.urls")),
    path("", include("daftari.stations.urls")),
    path("", include("daftari.occurrences.urls")),
    path("", include("daftari.occurrences.casework_views")),
    path("", include("daftari.custody.urls")),
    path("", include("daftari.fines.urls")),
    path("", include("daftari.documents.urls")),
    path("", include("daftari.notifications.urls")),
    path("", include("daftari.payments.urls")),
    path("", include("daftari.reports.urls")),
    path("", include("daftari.alerts.urls")),
    path("", include("daftari.refugees.urls")),
    path("", include("daftari.deployments.urls")),
    path("", include("daftari.nodes.urls")),
]
