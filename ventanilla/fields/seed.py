"""The guidance and fields a fresh install starts with, from what hosting
providers ask for each kind of problem (shared/seeds/000: DreamHost's "what
to include"). Admins change them in the admin afterwards."""

PAYMENT_METHODS = "\n".join([
    "Tarjeta de crédito o débito", "PayPal", "Transferencia o depósito bancario",
    "Pago en efectivo (OXXO u otra tienda)", "Otro",
])

# (department slug, category name): (guidance, [(label, type, required, help, options, owned)])
CATEGORIES = {
    ("soporte", "Correo"): (
        "Incluye la dirección de correo con la que tienes problemas y, si ves un mensaje de "
        "error o un rebote, cópialo tal cual en el mensaje.",
        # Optional: a customer unsure of the address can still write (and the
        # quick "Correo" tickets of older links and scripts keep working).
        [("Dirección de correo afectada", "correo", False,
          "La cuenta con el problema, p. ej. ventas@midominio.mx.", "", True)],
    ),
    ("soporte", "Bases de datos"): (
        "Confirma la base de datos con la que tienes inconvenientes y describe la situación: "
        "qué intentabas hacer y el error que aparece.",
        [("Nombre de la base de datos", "texto", True,
          "Tal como aparece en cPanel, p. ej. usuario_tienda.", "", False),
         ("Tengo una copia de seguridad reciente de la base de datos", "casilla", False, "", "",
          False)],
    ),
    ("facturacion", "Pagos"): (
        "Incluye el método de pago, la fecha, el importe y cualquier otro detalle "
        "(referencia, últimos 4 dígitos de la tarjeta; nunca el número completo).",
        [("Método de pago", "opcion", True, "", PAYMENT_METHODS, False),
         ("Fecha y hora del pago", "fecha_hora", True, "", "", False),
         ("Importe", "importe", True, "", "", False)],
    ),
    ("facturacion", "Preguntas de facturación"): (
        "Incluye el número de factura o de pedido, las fechas y el importe en cuestión.",
        [("Número de factura o pedido", "texto", False, "", "", False),
         ("Importe", "importe", False, "", "", False)],
    ),
    ("operaciones", "Dominios"): (
        "Describe el problema en detalle e indica el dominio afectado, para que podamos llegar "
        "más rápido a la raíz del problema.",
        [("Dominio", "dominio", True, "P. ej. midominio.mx (sin «www» ni «http://»).", "", True)],
    ),
    ("ventas", "Dominios"): (
        "Indica el dominio que te interesa registrar o transferir.",
        [("Dominio", "dominio", False, "P. ej. midominio.mx.", "", False)],
    ),
    ("abuso", "Reporte de abuso"): (
        "Incluye la URL o la IP del contenido abusivo y las evidencias: cabeceras completas del "
        "correo, capturas de pantalla o registros con fecha y hora.",
        [("URL reportada", "url", False, "P. ej. https://ejemplo.com/pagina-falsa.", "", False),
         ("IP reportada", "ip", False, "P. ej. 203.0.113.5.", "", False),
         ("Evidencias", "texto_largo", True,
          "Cabeceras del correo, registros o la descripción de lo que viste.", "", False)],
    ),
    ("abuso", "Malware y seguridad"): (
        "Indica el sitio afectado y desde cuándo notas el problema. No borres archivos todavía: "
        "nos ayudan a encontrar el origen.",
        [("Dominio afectado", "dominio", True, "", "", True)],
    ),
}


def seed_category_fields(Category, CategoryGuidance, CategoryField) -> None:
    """Create the seed guidance and fields unless some exist. Takes the model
    classes so that the migration can pass its historical models."""
    if CategoryField.objects.exists() or CategoryGuidance.objects.exists():
        return
    for (department, name), (guidance, fields) in CATEGORIES.items():
        category = Category.objects.filter(department__slug=department, name=name,
                                           parent=None).first()
        if category is None:
            continue  # renamed or removed before this migration ran
        CategoryGuidance.objects.create(category=category, text=guidance)
        for position, (label, kind, required, help_text, options, owned) in enumerate(fields):
            CategoryField.objects.create(
                category=category, label=label, type=kind, required=required,
                help_text=help_text, options=options, must_be_customer_domain=owned,
                position=position,
            )


# Actions agents take only with the customer's authorization (shared/seeds/002:
# "no configuration, change or restore that the customer did not request").
CONSENT_ACTIONS = [
    ("Actualizar WordPress, temas o plugins",
     "Actualizar WordPress, los temas y los plugins de tu sitio a la última versión y desactivar "
     "los plugins incompatibles."),
    ("Restaurar una copia de seguridad",
     "Restaurar la copia de seguridad de tu sitio o base de datos; se perderán los cambios "
     "posteriores a la fecha de la copia."),
    ("Enviar correos de prueba desde tu cuenta",
     "Enviar correos de prueba desde tu cuenta de correo para verificar el envío y la recepción."),
    ("Borrar archivos o carpetas",
     "Borrar los archivos o carpetas que te indicamos en el ticket (p. ej. archivos infectados)."),
    ("Cambiar la configuración del servicio",
     "Cambiar la configuración de tu servicio (versión de PHP, DNS, límites) como te indicamos "
     "en el ticket."),
]


def seed_consent_actions(ConsentAction) -> None:
    if ConsentAction.objects.exists():
        return
    for position, (name, text) in enumerate(CONSENT_ACTIONS):
        ConsentAction.objects.create(name=name, text=text, position=position)
