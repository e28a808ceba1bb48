from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ventanilla.accounts"
    label = "accounts"
    verbose_name = _("Cuentas y servicios")

    def ready(self):
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        # One login: the admin's own form would take an email and a password
        # alone, past two-factor authentication and allauth's rate limits.
        # Its login page now sends visitors to allauth's (and refuses a
        # logged-in user who is not staff).
        admin.site.login = secure_admin_login(admin.site.login)

        from allauth.mfa.models import Authenticator

        # allauth's model has no verbose name to translate (the admin showed
        # "Authenticators"). Only the names the admin reads change, not the
        # options migrations record (Meta.original_attrs): no migration.
        Authenticator._meta.verbose_name = _("autenticador")
        Authenticator._meta.verbose_name_plural = _("autenticadores (verificación en dos pasos)")
