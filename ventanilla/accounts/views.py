from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from .forms import AccountSettingsForm


@login_required
def account_settings(request):
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Guardamos tus ajustes."))
        response = redirect("account_settings")
        response.delete_cookie("django_language")
        return response
    return render(request, "accounts/settings.html", {"form": form})
