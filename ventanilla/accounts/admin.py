import allauth.mfa.admin  # registers allauth's AuthenticatorAdmin, replaced below
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from ventanilla.core.time_zones import time_zone_choices

from .models import AgentProfile, Customer, Service, User


class TimeZoneChoicesMixin:
    """The admin's time-zone selects show the one list people pick from
    (likely zones first, canonical names only), not the model's ~600."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            kwargs["choices"] = time_zone_choices()
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class EmailUserCreationForm(AdminUserCreationForm):
    """Django's admin creation form (password fields, validators, "usable
    password" switch) for our email-based user."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")
        field_classes: dict = {}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Ya existe un usuario con ese correo."))
        return email


class EmailUserChangeForm(UserChangeForm):
    """Shows the password only as "not stored in clear" plus the link to
    Django's password-change form; never the hash's value."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ya existe un usuario con ese correo."))
        return email


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = True
    max_num = 1
    extra = 0
    filter_horizontal = ["departments"]
    fields = ["is_active", "is_supervisor", "departments", "signature", "email_notifications"]
    verbose_name = _("perfil de agente")
    verbose_name_plural = _("perfil de agente (vacío si no es agente)")


@admin.register(User)
class UserAdmin(TimeZoneChoicesMixin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    inlines = [AgentProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Datos personales"), {"fields": ("full_name", "time_zone", "language")}),
        (_("Permisos"), {
            "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
        }),
        (_("Fechas"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {
            "classes": ("wide",),
            "fields": ("email", "full_name", "usable_password", "password1", "password2"),
        }),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["email", "full_name", "is_agent_column", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "agent__is_supervisor",
                   "agent__departments"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    list_select_related = ["agent"]

    @admin.display(description=_("agente"), boolean=True)
    def is_agent_column(self, obj):
        return obj.is_agent

    def get_inlines(self, request, obj):
        # The agent profile is added once the user exists.
        return self.inlines if obj is not None else []


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["type", "name", "domain", "order_number", "server_ip", "status"]


@admin.register(Customer)
class CustomerAdmin(TimeZoneChoicesMixin, admin.ModelAdmin):
    list_display = ["name", "company", "email", "user", "created_at"]
    search_fields = ["name", "company", "email", "services__domain", "services__order_number"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [ServiceInline]
    date_hierarchy = "created_at"


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "customer", "domain", "order_number", "server_ip", "status"]
    list_filter = ["type", "status"]
    search_fields = ["name", "domain", "order_number", "server_ip", "customer__email",
                     "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department_list", "is_supervisor", "is_active"]
    list_filter = ["is_supervisor", "is_active", "departments"]
    search_fields = ["user__email", "user__full_name"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")

    @admin.display(description=_("departamentos"))
    def department_list(self, obj):
        return ", ".join(d.name for d in obj.departments.all()) or "—"


# --- Two-factor authenticators (allauth.mfa) in Spanish ----------------------------

class AuthenticatorTypeFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("tipo")


class AuthenticatorForm(forms.ModelForm):
    class Meta:
        model = Authenticator
        fields = ["user", "type", "data", "created_at", "last_used_at"]
        labels = {"user": _("usuario"), "type": _("tipo"), "data": _("datos"),
                  "created_at": _("creado"), "last_used_at": _("último uso")}


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(allauth.mfa.admin.AuthenticatorAdmin):
    """allauth's, with Spanish names (its model and fields have none to translate)."""

    form = AuthenticatorForm
    list_display = ["owner", "kind", "created", "last_used"]
    list_filter = [("type", AuthenticatorTypeFilter)]
    list_select_related = ["user"]

    @admin.display(description=_("usuario"), ordering="user__email")
    def owner(self, obj):
        return obj.user

    @admin.display(description=_("tipo"), ordering="type")
    def kind(self, obj):
        return obj.get_type_display()

    @admin.display(description=_("creado"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("último uso"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at
