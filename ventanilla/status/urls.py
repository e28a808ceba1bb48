"""Every URL of the status app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

app_name = "status"
urlpatterns = []
