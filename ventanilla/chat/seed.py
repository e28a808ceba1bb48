"""The chat's default scope per department, from HostGator's technical chat
(shared/seeds/002): what the chat helps with, and what it never does.
Admins edit both lists afterwards (Admin → Chat por departamento)."""

EXCLUDES = """No realizamos procedimientos contrarios a los términos de servicio ni para eludir las restricciones del plan.
No programamos (desarrollo) ni diseñamos sitios web.
No trabajamos en software de terceros (plataformas externas).
Nunca pedimos ni damos credenciales de acceso por chat.
No optimizamos sitios web ni aplicaciones.
No damos soporte dentro de plugins y temas (problemas, actualización o instalación).
No instalamos aplicaciones manualmente por chat.
No eliminamos ni editamos archivos, usuarios, cuentas de correo o bases de datos.
No hacemos configuraciones, cambios o restauraciones que no hayas pedido.
No hacemos migraciones por chat.
No generamos copias de seguridad para descargar por FTP.
No ajustamos SSL dentro de la programación del sitio."""

COVERS = {
    "soporte": """Dominios: nameservers (DNS), registros A, CNAME y TXT, plazos de propagación.
Planes de hosting, cPanel, WordPress y el creador de sitios.
Correo electrónico: cuentas, filtros de spam, errores de autenticación, MX, SPF y DKIM.
Bases de datos, certificados SSL y acceso por FTP.
Copias de seguridad y copias entre carpetas.
Complementos SiteLock y CodeGuard.""",
    "facturacion": """Facturas, pagos y métodos de pago.
Renovaciones, cambios de plan y cancelaciones.
Dudas sobre cargos de tu cuenta.""",
    "ventas": """Planes y precios de hosting, VPS y servidores dedicados.
Registro y transferencia de dominios.
Qué plan conviene a tu proyecto.""",
}
DEFAULT_COVERS = "Dudas sobre nuestros productos y servicios."
# Chats make sense where an answer can be quick; abuse reports go by ticket.
CHAT_DEPARTMENTS = {"soporte", "facturacion", "ventas", "operaciones"}


def seed_chat_departments(ChatDepartment, Department) -> None:
    """Idempotent: departments that have no chat settings get the defaults."""
    for department in Department.objects.filter(chat_settings__isnull=True):
        ChatDepartment.objects.create(
            department=department, is_enabled=department.slug in CHAT_DEPARTMENTS,
            covers=COVERS.get(department.slug, DEFAULT_COVERS), excludes=EXCLUDES,
        )
