from django.contrib import admin
from django.urls import include, path

from timeline import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("timelines/<slug:slug>/", views.timeline_page, name="timeline"),
    path("events/<slug:slug>/", views.event_page, name="event"),
    path("actors/<slug:slug>/", views.actor_page, name="actor"),
    path("sources/<slug:slug>/", views.source_page, name="source"),
    path("", include("timeline.data_urls")),
    path("admin/", admin.site.urls),
]
