"""The project's URLs plus one view that fails, for the 500 page tests."""

from django.urls import path

from ventanilla.urls import handler403, handler404  # noqa: F401
from ventanilla.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise RuntimeError("fallo de prueba")


urlpatterns = [path("falla/", failing_view), *project_urlpatterns]
