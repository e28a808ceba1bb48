"""Request hygiene shared by every page."""

from django.http import Http404, QueryDict


class NulFreeQueryMiddleware:
    """Drop NUL characters from query strings before any view reads them,
    and answer 404 for a path that contains one (no ticket number, slug or
    token has one: PostgreSQL answered 500 on the lookup).

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
        if request.path.startswith(self.api_prefix):
            return self.get_response(request)
        if "\x00" in request.path:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            clean = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            clean._mutable = False
            request.GET = clean
        return self.get_response(request)
