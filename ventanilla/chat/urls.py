"""Every URL of the chat app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

app_name = "chat"
urlpatterns = []
