"""Every URL of the kb app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

app_name = "kb"
urlpatterns = []
