from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def dashboard(request):
    return HttpResponse("portal")


ticket_list = ticket_new = ticket_detail = dashboard
