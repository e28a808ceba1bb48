"""Request hygiene shared by every page."""

from django.http import QueryDict


class NulFreeQueryMiddleware:
    """Drop NUL characters from query strings before any view reads them.

    PostgreSQL refuses a NUL in text ("A string literal cannot contain NUL
    (0x00) characters"), so `?q=%00` on a search page was a server error
    there, and on SQLite a filter on a string no stored text can contain.
    No meaningful value contains one; the REST API answers them with a 422
    of its own (ventanilla/integrations/urls.py). Forms refuse them in POST
    data with Django's ProhibitNullCharactersValidator."""

    # The REST API names the offending fields in a 422 instead.
    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and not request.path.startswith(self.api_prefix):
            clean = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            clean._mutable = False
            request.GET = clean
        return self.get_response(request)
