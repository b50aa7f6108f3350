"""Routes for data out and in: the JSON API, exports and feeds."""

from django.urls import path

from timeline.data import api, feeds

urlpatterns = [
    path("api/events.atom", feeds.atom, name="events-atom"),
    path("api/events.rss", feeds.rss, name="events-rss"),
    path("api/", api.urls_answering_head()),
]
