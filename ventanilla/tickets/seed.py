"""The departments and category tree a fresh install starts with (from the
HostGator form in shared/seeds/001 and NEUBOX's departments). Admins rename,
add or mark them inactive afterwards."""

DEPARTMENTS = [
    ("soporte", "Soporte técnico",
     "Problemas técnicos del hosting: correo, DNS, cPanel, bases de datos, sitio web.", [
         ("Correo", ["Configuración de cuentas de correo", "Envío y recepción", "Spam"]),
         ("cPanel", []),
         ("Bases de datos", []),
         ("Restablecer contraseña", []),
         ("SSL", []),
         ("Sitio web", []),
     ]),
    ("facturacion", "Facturación",
     "Pagos, facturas, renovaciones y cancelaciones.", [
         ("Cancelación de cuenta", []),
         ("Preguntas de facturación", []),
         ("Pagos", []),
     ]),
    ("ventas", "Ventas",
     "Contratar servicios nuevos, dominios y cambios de plan.", [
         ("Dominios", []),
         ("Nueva cuenta", []),
         ("Otros", []),
         ("Diseño", None),
         ("Marketing/SEO", None),
     ]),
    ("operaciones", "Operaciones — SSL y dominios",
     "Emisión de certificados SSL de pago; registro, renovación y transferencia de dominios.", [
         ("Dominios", ["DNS", "Renovación", "Transferencia", "Gestión DNS", "Compra de dominio"]),
         ("Certificados SSL de pago", []),
     ]),
    ("abuso", "Abuso y seguridad",
     "Malware, sitios comprometidos y reportes de abuso.", [
         ("Malware y seguridad", []),
         ("Reporte de abuso", []),
     ]),
    ("verificacion", "Verificación de identidad",
     "Personas que no pueden iniciar sesión: se verifica la titularidad antes de responder.", []),
]


def seed_departments(Department, Category) -> None:
    """Create the seed rows unless departments exist. Takes the model classes
    so that the migration can pass its historical models."""
    if Department.objects.exists():
        return
    for position, (slug, name, description, categories) in enumerate(DEPARTMENTS):
        department = Department.objects.create(
            slug=slug, name=name, description=description, position=position
        )
        for cat_position, (cat_name, children) in enumerate(categories):
            # None marks a category of the original form that is not used.
            parent = Category.objects.create(
                department=department, name=cat_name, position=cat_position,
                is_active=children is not None,
            )
            for child_position, child in enumerate(children or []):
                Category.objects.create(
                    department=department, parent=parent, name=child, position=child_position
                )
