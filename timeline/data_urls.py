"""Routes for data out and in: the JSON API, exports and feeds."""

urlpatterns: list = []
