import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# `email__lower=address.lower()`: a case-insensitive match that, unlike
# `iexact` (LIKE on SQLite, UPPER() on PostgreSQL), uses the Lower(email)
# indexes below instead of scanning every customer.
models.EmailField.register_lookup(Lower)

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a customer contact, an agent or an admin."""

    email = models.EmailField(_("correo electrónico"), unique=True)
    full_name = models.CharField(_("nombre completo"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("zona horaria"), max_length=64, choices=TIME_ZONE_CHOICES, default="America/Mexico_City"
    )
    language = models.CharField(
        _("idioma"), max_length=8, choices=[("es", "Español"), ("en", "English")], default="es"
    )
    is_staff = models.BooleanField(_("acceso al admin"), default=False)
    is_active = models.BooleanField(_("activo"), default=True)
    date_joined = models.DateTimeField(_("fecha de alta"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        indexes = [models.Index(Lower("email"), name="user_email_lower")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]

    @property
    def agent_profile(self):
        """The AgentProfile or None, without raising."""
        try:
            return self.agent
        except AgentProfile.DoesNotExist:
            return None

    @property
    def is_agent(self) -> bool:
        return self.agent_profile is not None and self.agent_profile.is_active

    @property
    def is_supervisor(self) -> bool:
        return self.is_agent and self.agent_profile.is_supervisor

    @property
    def customer_account(self):
        try:
            return self.customer
        except Customer.DoesNotExist:
            return None


class Customer(models.Model):
    """A hosting customer's account: contact data and the services it owns.

    The login (user) is optional so that customers synced from a billing
    system or writing by email exist before they ever sign in."""

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="customer",
        verbose_name=_("usuario"),
    )
    name = models.CharField(_("nombre"), max_length=150)
    company = models.CharField(_("empresa"), max_length=150, blank=True)
    email = models.EmailField(_("correo registrado"), unique=True)
    phone = models.CharField(_("teléfono"), max_length=40, blank=True)
    time_zone = models.CharField(
        _("zona horaria"), max_length=64, choices=TIME_ZONE_CHOICES, default="America/Mexico_City"
    )
    external_id = models.CharField(_("id en facturación"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    # Read by the API's "updated_since" filter (integrations sync).
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True, db_default=Now(),
                                      db_index=True)
    # A holder of what someone who proved nothing (a public form, a visitor
    # chat) wrote in the name of an account: never logs in, owns no service,
    # and its tickets join `unverified_for` (the possible account) only
    # after proof (accounts.services.customer_for_stranger,
    # tickets.verification).
    unverified = models.BooleanField(_("sin verificar"), default=False, editable=False)
    unverified_for = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("posible cuenta"),
    )

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")
        ordering = ["name"]
        indexes = [models.Index(Lower("email"), name="customer_email_lower")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def account(self):
        """The account this record speaks for: itself, or for an unverified
        holder its possible account (None when nothing matched)."""
        return self.unverified_for if self.unverified else self


class Service(models.Model):
    class Type(models.TextChoices):
        SHARED_PERSONAL = "hosting_personal", _("Hosting compartido Personal")
        SHARED_EMPRENDEDOR = "hosting_emprendedor", _("Hosting compartido Emprendedor")
        SHARED_NEGOCIOS = "hosting_negocios", _("Hosting compartido Negocios")
        SHARED_TURBO = "hosting_turbo", _("Hosting compartido Turbo")
        RESELLER = "reventa", _("Reventa")
        VPS = "vps", _("VPS")
        DEDICATED = "dedicado", _("Servidor dedicado")
        DOMAIN = "dominio", _("Dominio")
        SSL = "ssl", _("Certificado SSL")
        SITELOCK = "sitelock", _("Complemento SiteLock")
        CODEGUARD = "codeguard", _("Complemento CodeGuard")

    class Status(models.TextChoices):
        ACTIVE = "activo", _("Activo")
        SUSPENDED = "suspendido", _("Suspendido")
        PENDING = "pendiente", _("Pendiente de activación")
        CANCELLED = "cancelado", _("Cancelado")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="services", verbose_name=_("cliente")
    )
    type = models.CharField(_("tipo"), max_length=32, choices=Type.choices)
    name = models.CharField(
        _("nombre del servicio"), max_length=150,
        help_text=_("Tal como aparece en el Área de cliente, p. ej. «Hosting Negocios - midominio.mx»."),
    )
    domain = models.CharField(_("dominio"), max_length=253, blank=True, db_index=True)
    order_number = models.CharField(
        _("número de pedido"), max_length=20, db_index=True,
        help_text=_("Sin «#», p. ej. 123456."),
    )
    server_ip = models.GenericIPAddressField(_("IP del servidor"), null=True, blank=True)
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    external_id = models.CharField(_("id en facturación"), max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True, db_default=Now(),
                                      db_index=True)

    class Meta:
        verbose_name = _("servicio")
        verbose_name_plural = _("servicios")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (#{self.order_number})"


class AgentProfile(models.Model):
    """Makes a user an agent of some departments (supervisors see all)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent",
                                verbose_name=_("usuario"))
    departments = models.ManyToManyField(
        "tickets.Department", related_name="agents", blank=True, verbose_name=_("departamentos")
    )
    is_supervisor = models.BooleanField(
        _("supervisor"), default=False, help_text=_("Ve y trabaja los tickets de todos los departamentos.")
    )
    is_active = models.BooleanField(_("activo"), default=True)
    signature = models.TextField(_("firma"), blank=True)
    email_notifications = models.BooleanField(
        _("avisos por correo"), default=True,
        help_text=_("Un correo por cada ticket nuevo de sus departamentos y por cada respuesta de "
                    "un cliente en sus tickets (o en los de sus departamentos sin asignar)."),
    )

    class Meta:
        verbose_name = _("agente")
        verbose_name_plural = _("agentes")

    def __str__(self):
        return str(self.user)
