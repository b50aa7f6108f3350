from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from timeline.desk import preview
from timeline.reader import embed, story, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("timelines/<slug:slug>/", views.timeline_page, name="timeline"),
    path("story/", story.story, name="story"),
    path("story/<slug:event>/", story.story, name="story-slide"),
    path("timelines/<slug:slug>/story/", story.story, name="timeline-story"),
    path("timelines/<slug:slug>/story/<slug:event>/", story.story, name="timeline-story-slide"),
    path("events/<slug:slug>/", views.event_page, name="event"),
    path("actors/<slug:slug>/", views.actor_page, name="actor"),
    path("sources/<slug:slug>/", views.source_page, name="source"),
    path("embed/", embed.embed, name="embed"),
    # Before embed/<slug>/, so a timeline slugged "story" has no widget of its own there.
    path("embed/story/", story.embedded, name="embed-story"),
    path("embed/story/<slug:event>/", story.embedded, name="embed-story-slide"),
    path("embed/<slug:slug>/story/", story.embedded, name="embed-timeline-story"),
    path(
        "embed/<slug:slug>/story/<slug:event>/",
        story.embedded,
        name="embed-timeline-story-slide",
    ),
    path("embed/<slug:slug>/", embed.embed, name="embed"),
    path("embed.js", embed.loader, name="embed-loader"),
    path("oembed", embed.oembed, name="oembed"),
    path("", include("timeline.data.urls")),
    # Staff only, never cached or indexed: drafts as readers will see them.
    path("preview/events/<int:pk>/", preview.event, name="preview-event"),
    path("preview/events/<int:pk>/timeline/", preview.timeline, name="preview-timeline"),
    path(
        "preview/events/<int:pk>/timeline/<slug:slug>/",
        preview.timeline,
        name="preview-timeline-on",
    ),
    path("preview/events/<int:pk>/embed/", preview.embed, name="preview-embed"),
    path("preview/events/<int:pk>/embed/<slug:slug>/", preview.embed, name="preview-embed-on"),
    path(settings.ADMIN_PATH, admin.site.urls),
]
if settings.MEDIA_URL.startswith("/"):
    # Uploads from this machine's storage; a bucket or CDN serves them when MEDIA_URL is a URL.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.upload, name="upload")
    )
