"""What `ventanilla demo` loads: people, services, canned responses and
ticket conversations. The command (core/management/commands/demo.py) turns
this data into rows through the ticket services.

Everything here is fictional. People's addresses use the domains reserved for
documentation (example.com, example.net, example.org; RFC 2606), so an email
sent by a running demo never reaches anyone; server IPs come from the
documentation ranges 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24
(RFC 5737). The websites' domains (.mx, .com, .es...) are only shown, never
contacted. The site keeps its name, «Ventanilla».

Texts may use these placeholders, filled per ticket: {first} (how agents
address the customer: DemoCustomer.greeting or the first name), and {domain},
{service}, {order} and {ip} (of the ticket's service).
"""

from typing import NamedTuple

PASSWORD = "demo1234"


# --- Staff -----------------------------------------------------------------


class StaffMember(NamedTuple):
    email: str
    name: str
    departments: tuple[str, ...] = ()  # Department slugs
    supervisor: bool = False
    superuser: bool = False


# The first of each department's agents answers most of its tickets.
STAFF = [
    StaffMember("agente@example.com", "Andrea Morales", ("soporte",)),
    StaffMember("facturacion@example.com", "Luis Fernández", ("facturacion",)),
    StaffMember("supervisor@example.com", "Mónica Salinas", supervisor=True),
    StaffMember("admin@example.com", "Administración Demo", superuser=True),
    StaffMember("soporte2@example.com", "Jorge Ramírez", ("soporte",)),
    StaffMember("cobranza@example.com", "Patricia Núñez", ("facturacion",)),
    StaffMember("ventas@example.com", "Ricardo Téllez", ("ventas",)),
    StaffMember("operaciones@example.com", "Gabriela Ortiz", ("operaciones",)),
    StaffMember("abuso@example.com", "Héctor Villalobos", ("abuso",)),
]
SUPERVISOR_EMAIL = "supervisor@example.com"


# --- Customers and their services ------------------------------------------


class DemoService(NamedTuple):
    type: str  # Service.Type value
    name: str
    domain: str
    order: str
    ip: str = ""


class DemoCustomer(NamedTuple):
    key: str
    email: str
    name: str
    company: str
    phone: str
    time_zone: str
    services: tuple[DemoService, ...]
    greeting: str = ""  # how agents address them; default: the first name


def hosting(plan: str, domain: str, order: str, ip: str) -> DemoService:
    """plan: personal, emprendedor, negocios or turbo."""
    return DemoService(f"hosting_{plan}", f"Hosting {plan.capitalize()} - {domain}", domain,
                       order, ip)


def reseller(domain: str, order: str, ip: str) -> DemoService:
    return DemoService("reventa", f"Reventa R2 - {domain}", domain, order, ip)


def vps(domain: str, order: str, ip: str) -> DemoService:
    return DemoService("vps", f"VPS 4 GB - {domain}", domain, order, ip)


def dedicated(domain: str, order: str, ip: str) -> DemoService:
    return DemoService("dedicado", f"Servidor dedicado Xeon E-2236 - {domain}", domain, order, ip)


def domain_name(domain: str, order: str) -> DemoService:
    return DemoService("dominio", f"Dominio {domain}", domain, order)


def ssl(domain: str, order: str) -> DemoService:
    return DemoService("ssl", f"Certificado SSL RapidSSL - {domain}", domain, order)


def sitelock(domain: str, order: str) -> DemoService:
    return DemoService("sitelock", f"SiteLock Essentials - {domain}", domain, order)


def codeguard(domain: str, order: str) -> DemoService:
    return DemoService("codeguard", f"CodeGuard Basic - {domain}", domain, order)


DEMO_CUSTOMER_EMAIL = "cliente@example.com"

CUSTOMERS = [
    DemoCustomer("demo", DEMO_CUSTOMER_EMAIL, "Cliente Demo", "Comercializadora Demo S.A. de C.V.",
                 "+52 55 5555 0100", "America/Mexico_City", (
                     hosting("negocios", "clientedemo.mx", "123456", "192.0.2.25"),
                     domain_name("clientedemo.mx", "123457"),
                     ssl("tienda.clientedemo.mx", "123458"),
                     vps("app.clientedemo.mx", "123459", "198.51.100.40"),
                     sitelock("clientedemo.mx", "123460"),
                 ), greeting="Cliente Demo"),
    DemoCustomer("mariana", "mariana.lopez@example.com", "Mariana López Herrera",
                 "Panadería La Espiga", "+52 33 3615 2040", "America/Mexico_City", (
                     hosting("personal", "panaderialaespiga.mx", "203457", "192.0.2.31"),
                     domain_name("panaderialaespiga.mx", "203458"),
                 )),
    DemoCustomer("javier", "javier.ruiz@example.com", "Javier Ruiz Castillo",
                 "Ruiz & Asociados Abogados", "+34 915 550 123", "Europe/Madrid", (
                     hosting("emprendedor", "ruizabogados.es", "203871", "192.0.2.32"),
                     domain_name("ruizabogados.es", "203872"),
                     codeguard("ruizabogados.es", "203873"),
                 )),
    DemoCustomer("sofia", "sofia.ramirez@example.net", "Sofía Ramírez Ochoa",
                 "Estudio Creativo Lumen", "+57 601 555 0142", "America/Bogota", (
                     reseller("estudiolumen.com", "204115", "203.0.113.12"),
                     domain_name("estudiolumen.com", "204116"),
                 )),
    DemoCustomer("carlos", "carlos.mendoza@example.com", "Carlos Mendoza Ríos",
                 "Ferretería Mendoza", "+52 222 555 0187", "America/Mexico_City", (
                     hosting("negocios", "ferreteriamendoza.com.mx", "204562", "192.0.2.33"),
                     domain_name("ferreteriamendoza.com.mx", "204563"),
                     ssl("ferreteriamendoza.com.mx", "204564"),
                 )),
    DemoCustomer("lucia", "lucia.fernandez@example.org", "Lucía Fernández Gil",
                 "Clínica Dental Sonrisas", "+34 963 555 210", "Europe/Madrid", (
                     hosting("turbo", "clinicasonrisas.es", "205013", "192.0.2.34"),
                     sitelock("clinicasonrisas.es", "205014"),
                     domain_name("clinicasonrisas.es", "205015"),
                 )),
    DemoCustomer("diego", "diego.herrera@example.com", "Diego Herrera Paz",
                 "TecnoSur Soluciones", "+56 2 2555 0133", "America/Santiago", (
                     vps("tecnosur.com", "205498", "198.51.100.21"),
                     domain_name("tecnosur.com", "205499"),
                 )),
    DemoCustomer("valentina", "valentina.torres@example.net", "Valentina Torres Medina",
                 "Boutique Valentina", "+54 11 5555 0178", "America/Argentina/Buenos_Aires", (
                     hosting("emprendedor", "boutiquevalentina.com", "205911", "192.0.2.35"),
                     ssl("boutiquevalentina.com", "205912"),
                 )),
    DemoCustomer("andres", "andres.gomez@example.com", "Andrés Gómez Salazar",
                 "Grupo Logístico Andino", "+51 1 555 0166", "America/Lima", (
                     dedicated("logisticaandina.com", "206344", "203.0.113.45"),
                     domain_name("logisticaandina.com", "206345"),
                 )),
    DemoCustomer("fernanda", "fernanda.castro@example.org", "Fernanda Castro Vega",
                 "Colegio Montessori Arcoíris", "+52 442 555 0190", "America/Mexico_City", (
                     hosting("negocios", "montessoriarcoiris.mx", "206780", "192.0.2.36"),
                     domain_name("montessoriarcoiris.mx", "206781"),
                     codeguard("montessoriarcoiris.mx", "206782"),
                 )),
    DemoCustomer("pablo", "pablo.navarro@example.com", "Pablo Navarro Soler",
                 "Bodegas Navarro", "+34 941 555 077", "Europe/Madrid", (
                     hosting("turbo", "bodegasnavarro.es", "207221", "192.0.2.37"),
                     ssl("bodegasnavarro.es", "207222"),
                     domain_name("bodegasnavarro.es", "207223"),
                 )),
    DemoCustomer("gabriela", "gabriela.rojas@example.net", "Gabriela Rojas Pineda",
                 "Rojas Contadores Públicos", "+52 55 5555 0231", "America/Mexico_City", (
                     hosting("personal", "rojascontadores.mx", "207650", "192.0.2.38"),
                     domain_name("rojascontadores.mx", "207651"),
                 )),
    DemoCustomer("miguel", "miguel.santos@example.com", "Miguel Ángel Santos",
                 "Taller Mecánico Santos", "+52 81 5555 0112", "America/Monterrey", (
                     hosting("personal", "tallersantos.com.mx", "208093", "192.0.2.39"),
                     sitelock("tallersantos.com.mx", "208094"),
                 )),
    DemoCustomer("camila", "camila.vargas@example.org", "Camila Vargas Luna",
                 "Vargas Diseño Web", "+57 604 555 0158", "America/Bogota", (
                     reseller("vargasdiseno.com", "208517", "203.0.113.13"),
                     domain_name("vargasdiseno.com", "208518"),
                 )),
    DemoCustomer("roberto", "roberto.jimenez@example.com", "Roberto Jiménez Cruz",
                 "Inmobiliaria Horizonte", "+52 998 555 0124", "America/Mexico_City", (
                     hosting("negocios", "inmobiliariahorizonte.mx", "208960", "192.0.2.40"),
                     ssl("inmobiliariahorizonte.mx", "208961"),
                     domain_name("inmobiliariahorizonte.mx", "208962"),
                 )),
    DemoCustomer("isabel", "isabel.moreno@example.net", "Isabel Moreno Díaz",
                 "Hotel Boutique Casa Azul", "+52 998 555 0199", "America/Cancun", (
                     hosting("turbo", "hotelcasaazul.mx", "209384", "192.0.2.41"),
                     ssl("hotelcasaazul.mx", "209385"),
                     codeguard("hotelcasaazul.mx", "209386"),
                     domain_name("hotelcasaazul.mx", "209387"),
                 )),
    DemoCustomer("alejandro", "alejandro.diaz@example.com", "Alejandro Díaz Montes",
                 "Academia de Idiomas Babel", "+34 954 555 300", "Europe/Madrid", (
                     vps("academiababel.es", "209821", "198.51.100.22"),
                     domain_name("academiababel.es", "209822"),
                 )),
    DemoCustomer("daniela", "daniela.flores@example.org", "Daniela Flores Acosta",
                 "Florería Primavera", "+52 33 5555 0145", "America/Mexico_City", (
                     hosting("emprendedor", "floreriaprimavera.mx", "210245", "192.0.2.42"),
                     domain_name("floreriaprimavera.mx", "210246"),
                     sitelock("floreriaprimavera.mx", "210247"),
                 )),
    DemoCustomer("sergio", "sergio.aguilar@example.com", "Sergio Aguilar Ponce",
                 "Aguilar Ingeniería", "+52 55 5555 0277", "America/Mexico_City", (
                     dedicated("aguilaringenieria.com", "210688", "203.0.113.46"),
                     ssl("aguilaringenieria.com", "210689"),
                 )),
    DemoCustomer("paula", "paula.ortega@example.net", "Paula Ortega Ibáñez",
                 "Tienda Natural Verde Vivo", "+34 932 555 418", "Europe/Madrid", (
                     hosting("negocios", "verdevivo.es", "211107", "192.0.2.43"),
                     domain_name("verdevivo.es", "211108"),
                     sitelock("verdevivo.es", "211109"),
                 )),
    DemoCustomer("ricardo", "ricardo.silva@example.com", "Ricardo Silva Núñez",
                 "Revista Digital Enfoque", "+51 1 555 0183", "America/Lima", (
                     vps("revistaenfoque.com", "211540", "198.51.100.23"),
                     codeguard("revistaenfoque.com", "211541"),
                     domain_name("revistaenfoque.com", "211542"),
                 )),
]


# --- Canned responses ------------------------------------------------------

# (title, department slug or None for every department, body)
CANNED_RESPONSES = [
    ("Saludo", None,
     "Hola, gracias por escribirnos. Ya estamos revisando tu solicitud y te respondemos en este "
     "mismo ticket en cuanto tengamos novedades."),
    ("Cierre por resolución", None,
     "Damos por resuelta tu solicitud. Si el problema vuelve a presentarse, responde a este "
     "ticket en los próximos días y lo retomamos; después se cerrará automáticamente."),
    ("Nunca envíes contraseñas", None,
     "Por tu seguridad, nunca nos envíes contraseñas por ticket ni por correo. Si necesitamos "
     "acceso, te lo pediremos por el formulario seguro del Área de cliente."),
    ("Solicitar datos de DNS", "soporte",
     "Para revisar la configuración necesitamos: el dominio afectado, los nameservers que "
     "tiene configurados y, si la zona DNS está en otro proveedor, una captura de sus registros "
     "A, MX y TXT."),
    ("Solicitar encabezados del correo", "soporte",
     "Para rastrear el mensaje, envíanos los encabezados completos del correo rebotado (en "
     "Gmail: Más → Mostrar original; en Outlook: Archivo → Propiedades) y la hora aproximada "
     "del envío."),
    ("Datos de configuración de correo", "soporte",
     "Usuario: tu dirección completa. Entrante IMAP: mail.tudominio, puerto 993 (SSL/TLS). "
     "Saliente SMTP: mail.tudominio, puerto 465 (SSL/TLS) con autenticación."),
    ("Propagación DNS 24–48 h", "operaciones",
     "Los cambios de DNS tardan entre 24 y 48 horas en propagarse por completo, según la caché "
     "de cada proveedor de internet. Puedes comprobar el avance en whatsmydns.net o desde otra "
     "red, como los datos de tu celular."),
    ("Código EPP de transferencia", "operaciones",
     "Para transferir el dominio: desbloquéalo en tu registrador actual, solicita el código EPP "
     "(de autorización) y confirma que el correo del titular esté vigente. La transferencia "
     "tarda de 5 a 7 días y suma un año a la vigencia."),
    ("Facturación: comprobante de pago", "facturacion",
     "Para aplicar tu pago, adjunta el comprobante (transferencia o depósito) indicando el "
     "número de factura o de pedido. Los pagos se aplican en un máximo de 24 horas hábiles."),
    ("Facturación: datos fiscales", "facturacion",
     "Para emitir tu CFDI necesitamos tu RFC, razón social, régimen fiscal, código postal "
     "fiscal y el uso del CFDI. Puedes guardarlos en Área de cliente → Datos de facturación."),
    ("Cambio de plan", "ventas",
     "El cambio de plan se hace sin migración ni tiempo fuera de línea: se amplían los recursos "
     "de tu cuenta y pagas la diferencia proporcional al tiempo restante del periodo."),
    ("Limpieza de malware", "abuso",
     "Limpiamos los archivos infectados. Para evitar una reinfección: cambia las contraseñas de "
     "cPanel, FTP y WordPress, actualiza el núcleo, temas y plugins, y elimina los que no uses."),
]


# --- Ticket conversations --------------------------------------------------

# Steps after the customer's first message:
CUSTOMER = "cliente"  # the customer replies (Pendiente/Resuelto → Abierto)
REPLY = "respuesta"  # an agent's public reply (→ Pendiente)
REPLY_OPEN = "abierto"  # an agent's public reply that keeps the ticket Abierto
RESOLVE = "resuelto"  # an agent's public reply marking it Resuelto
NOTE = "nota"  # an agent's internal note
ASSIGN = "asigna"  # the supervisor assigns it to the department's agent
CUSTOMER_CLOSES = "cierra_cliente"
AGENT_CLOSES = "cierra_agente"


class Scenario(NamedTuple):
    department: str  # Department slug
    category: tuple[str, ...]  # category names from the top, () for none
    services: tuple[str, ...]  # Service.Type values, in order of preference
    subject: str
    body: str
    steps: tuple[tuple[str, str], ...]
    priority: str = "regular"
    diagnostics: str = ""  # for Alta: the incident's diagnostic data
    attachment: tuple[str, str] | None = None  # (file name, text) on the first message


HOSTING = ("hosting_negocios", "hosting_turbo", "hosting_emprendedor", "hosting_personal",
           "reventa", "vps", "dedicado")
SERVERS = ("vps", "dedicado")

SCENARIOS: dict[str, Scenario] = {
    # Soporte técnico ------------------------------------------------------
    "correo_rebota_gmail": Scenario(
        "soporte", ("Correo", "Envío y recepción"), HOSTING,
        "Los correos que enviamos a Gmail rebotan",
        "Buen día. Desde el lunes los correos que enviamos desde ventas@{domain} a cuentas de "
        "Gmail regresan con un error; a Hotmail sí llegan. El mensaje dice: «550-5.7.26 This "
        "mail is unauthenticated, which poses a security risk to the sender and Gmail users». "
        "Son cotizaciones para clientes, necesitamos solucionarlo pronto. Adjunto el rebote.",
        (
            (NOTE, "El dominio no publica SPF ni DKIM. La zona DNS está en Cloudflare, fuera de "
                   "nuestro servidor: hay que pedirle al cliente que agregue los registros."),
            (REPLY, "Hola, {first}. Gmail rechaza los mensajes porque {domain} no publica "
                    "registros SPF ni DKIM, y Gmail exige autenticación a los remitentes. Como "
                    "la zona DNS de tu dominio está en Cloudflare, necesitamos que agregues:\n\n"
                    "1. Un registro TXT en {domain}: v=spf1 +a +mx +ip4:{ip} ~all\n"
                    "2. Un registro TXT en default._domainkey.{domain} con el valor que aparece "
                    "en cPanel → Correo electrónico → Entregabilidad del correo electrónico.\n\n"
                    "Cuando los agregues, avísanos y verificamos la entrega."),
            (CUSTOMER, "Listo, ya agregué los dos registros en Cloudflare hace una hora."),
            (RESOLVE, "Confirmamos que el SPF y la firma DKIM ya validan (spf=pass, dkim=pass) "
                      "en una prueba enviada a una cuenta de Gmail. Los mensajes nuevos deben "
                      "llegar sin problema. Te recomendamos agregar también un registro DMARC "
                      "(v=DMARC1; p=none) para monitorear la entrega."),
        ),
        attachment=("rebote_gmail.txt",
                    "Delivery Status Notification (Failure)\n"
                    "Final-Recipient: rfc822; compras.cliente@gmail.com\n"
                    "Action: failed\nStatus: 5.7.26\n"
                    "Diagnostic-Code: smtp; 550-5.7.26 This mail is unauthenticated, which "
                    "poses a security risk to the sender and Gmail users, and has been "
                    "blocked.\n"),
    ),
    "wordpress_pantalla_blanca": Scenario(
        "soporte", ("Sitio web",), HOSTING,
        "WordPress en pantalla blanca después de actualizar plugins",
        "Actualicé los plugins de WordPress desde el escritorio y ahora {domain} muestra una "
        "pantalla en blanco, tanto el sitio como /wp-admin. Es nuestra tienda en línea y estamos "
        "perdiendo ventas. Adjunto el error_log que encontré en public_html.",
        (
            (ASSIGN, ""),
            (NOTE, "error_log: Fatal error en elementor-pro, incompatible con la versión de "
                   "Elementor recién actualizada. Renombrar la carpeta del plugin debería "
                   "devolver el sitio."),
            (REPLY, "Hola, {first}. El registro de errores muestra un error fatal de PHP en el "
                    "plugin Elementor Pro, que quedó incompatible con la versión nueva de "
                    "Elementor. Renombramos la carpeta wp-content/plugins/elementor-pro a "
                    "elementor-pro.desactivado y el sitio ya carga. Para volver a activarlo, "
                    "actualiza Elementor Pro con tu licencia desde el escritorio de WordPress. "
                    "¿Nos confirmas que la tienda funciona bien de tu lado?"),
            (CUSTOMER, "¡Ya carga! Muchas gracias. Actualicé Elementor Pro con la licencia y lo "
                       "activé otra vez; todo funciona."),
            (RESOLVE, "Excelente. Antes de actualizar plugins te recomendamos generar una copia "
                      "de seguridad desde cPanel → Copia de seguridad, o con CodeGuard si lo "
                      "tienes contratado. Quedamos atentos."),
            (CUSTOMER_CLOSES, ""),
        ),
        priority="alta",
        diagnostics="Pantalla en blanco sin mensaje de error en todas las páginas, incluido "
                    "/wp-admin. Justo antes se actualizaron WooCommerce, Elementor y Yoast SEO. "
                    "Adjunto el error_log.",
        attachment=("error_log.txt",
                    "[11-Mar-2025 10:41:07 America/Mexico_City] PHP Fatal error:  Uncaught "
                    "Error: Call to undefined method Elementor\\Core\\Base\\Module::"
                    "get_widgets() in /home/usuario/public_html/wp-content/plugins/"
                    "elementor-pro/modules/woocommerce/module.php:112\n"
                    "Stack trace:\n#0 /home/usuario/public_html/wp-includes/class-wp-hook.php"
                    "(324): ElementorPro\\Modules\\Woocommerce\\Module->init()\n"),
    ),
    "error_500_woocommerce": Scenario(
        "soporte", ("Sitio web",), HOSTING,
        "Error 500 al pagar en la tienda",
        "Cuando un cliente intenta pagar en {domain}/finalizar-compra aparece «500 Internal "
        "Server Error». El resto del sitio funciona. Empezó hoy en la mañana y no hemos "
        "cambiado nada.",
        (
            (REPLY_OPEN, "Hola, {first}. Estamos revisando los registros del servidor para la "
                         "página de pago. Te escribimos en cuanto tengamos el diagnóstico."),
            (NOTE, "ModSecurity bloquea el POST del checkout (regla 949110) desde la "
                   "actualización de reglas OWASP de anoche. Pedir la excepción para este "
                   "dominio."),
            (REPLY, "Encontramos la causa: una regla del firewall de aplicaciones (ModSecurity) "
                    "que se actualizó anoche bloqueaba el formulario de pago. Agregamos una "
                    "excepción para {domain} y nuestras compras de prueba ya pasan. ¿Puedes "
                    "hacer una compra de prueba para confirmarlo?"),
        ),
        priority="alta",
        diagnostics="Error 500 solo en /finalizar-compra; las demás páginas cargan. Probado en "
                    "Chrome y Firefox, desde varios equipos y redes.",
    ),
    "mysql_conexion": Scenario(
        "soporte", ("Bases de datos",), HOSTING,
        "Error al establecer una conexión con la base de datos",
        "Mi sitio {domain} muestra «Error al establecer una conexión con la base de datos». No "
        "he tocado el wp-config.php ni nada de la configuración.",
        (
            (REPLY, "Hola, {first}. El usuario de MySQL de tu cuenta alcanzó el límite de "
                    "conexiones simultáneas (max_user_connections) por un bot que hacía cientos "
                    "de peticiones a /wp-login.php. Bloqueamos sus IP y el sitio ya carga. Te "
                    "sugerimos instalar un plugin que limite los intentos de acceso. ¿Nos "
                    "confirmas que lo ves bien?"),
            (CUSTOMER, "Sí, ya carga, gracias. ¿Qué plugin me recomiendan?"),
            (RESOLVE, "Cualquiera de los conocidos funciona, por ejemplo Limit Login Attempts "
                      "Reloaded o Wordfence. También puedes proteger /wp-admin con contraseña "
                      "desde cPanel → Privacidad del directorio. Marcamos el ticket como "
                      "resuelto."),
        ),
    ),
    "cpanel_acceso": Scenario(
        "soporte", ("Restablecer contraseña",), HOSTING,
        "No puedo entrar a cPanel: dice que la contraseña es incorrecta",
        "Intento entrar a cPanel de {domain} y me dice que el usuario o la contraseña son "
        "incorrectos. Lo intenté varias veces y ahora ni siquiera carga la página de acceso.",
        (
            (NOTE, "La IP del cliente quedó bloqueada en cPHulk por intentos fallidos. "
                   "Desbloqueada."),
            (REPLY, "Hola, {first}. Después de varios intentos fallidos el sistema de protección "
                    "bloquea temporalmente la IP; por eso ya no cargaba la página. Ya la "
                    "desbloqueamos. Restablece la contraseña desde Área de cliente → Servicios "
                    "→ {service} → Cambiar contraseña y entra en https://{domain}/cpanel. Nunca "
                    "nos envíes tu contraseña por ticket."),
            (CUSTOMER, "Ya pude entrar, gracias."),
            (AGENT_CLOSES, ""),
        ),
    ),
    "outlook_imap": Scenario(
        "soporte", ("Correo", "Configuración de cuentas de correo"), HOSTING,
        "Configurar mi correo en Outlook y en el iPhone",
        "Quiero configurar contacto@{domain} en Outlook de la computadora y en el iPhone. ¿Qué "
        "datos pongo? Me pide servidor entrante y saliente.",
        (
            (REPLY, "Hola, {first}. Estos son los datos para cualquier programa de correo:\n\n"
                    "• Usuario: la dirección completa, contacto@{domain}\n"
                    "• Servidor entrante (IMAP): mail.{domain}, puerto 993, SSL/TLS\n"
                    "• Servidor saliente (SMTP): mail.{domain}, puerto 465, SSL/TLS, con "
                    "autenticación (mismo usuario y contraseña)\n\n"
                    "Te recomendamos IMAP para que el correo se sincronice entre la computadora "
                    "y el teléfono. ¿Pudiste configurarlo?"),
            (CUSTOMER, "En la computadora quedó, pero el iPhone dice que no puede verificar la "
                       "identidad del servidor."),
            (REPLY, "Ese aviso aparece porque el certificado de mail.{domain} se estaba "
                    "renovando. Forzamos la renovación de AutoSSL: elimina la cuenta en el "
                    "iPhone y vuelve a agregarla. Si sale el aviso otra vez, pulsa «Detalles» y "
                    "comprueba que el certificado está emitido para mail.{domain}."),
        ),
    ),
    "spam_info": Scenario(
        "soporte", ("Correo", "Spam"), HOSTING,
        "Recibo muchísimo spam en info@",
        "La cuenta info@{domain} recibe más de 200 correos de spam al día, casi todos en inglés "
        "y con enlaces raros. ¿Pueden activar algún filtro?",
        (
            (REPLY, "Hola, {first}. Activamos SpamAssassin en tu cuenta con puntuación 5 y la "
                    "opción de mover el spam a la carpeta «spam» en lugar de borrarlo. Puedes "
                    "ajustar la sensibilidad en cPanel → Filtros de spam. Revisa un par de días "
                    "si disminuye y nos cuentas."),
            (CUSTOMER, "Bajó bastante, pero se siguen colando algunos. ¿Puedo bloquear un "
                       "dominio completo?"),
            (RESOLVE, "Sí: en cPanel → Filtros de spam → Configuración adicional → Lista de "
                      "bloqueo puedes agregar entradas como *@dominio-que-molesta.com. Damos el "
                      "ticket por resuelto; escríbenos si necesitas algo más."),
        ),
    ),
    "migracion": Scenario(
        "soporte", ("Sitio web",), HOSTING,
        "Migración de mi sitio desde otro proveedor",
        "Contraté el plan con ustedes para cambiarme de proveedor. Mi sitio {domain} está hecho "
        "en WordPress y ocupa unos 4 GB con los correos. ¿Ustedes hacen la migración? ¿Se "
        "pierde algún correo?",
        (
            (REPLY, "Hola, {first}. Sí, la migración es gratuita. Necesitamos una copia completa "
                    "de cPanel de tu proveedor actual; súbela desde el formulario seguro del "
                    "Área de cliente (nunca compartas accesos por ticket). Migramos primero "
                    "archivos y bases de datos y, cuando confirmes que todo está bien, cambias "
                    "los DNS; los correos se copian al final para no perder ninguno."),
            (CUSTOMER, "Ya subí la copia al formulario seguro; es el archivo "
                       "backup-{domain}.tar.gz."),
            (NOTE, "Restauración en el servidor {ip}. La copia trae PHP 7.4: revisar "
                   "compatibilidad con 8.1 antes de entregar."),
            (REPLY, "Restauramos la copia en tu hosting nuevo. Puedes revisar el sitio antes de "
                    "cambiar los DNS apuntando {domain} a {ip} en el archivo hosts de tu "
                    "computadora. Cuando lo revises, cambia los nameservers y avísanos para "
                    "copiar los correos recientes."),
            (CUSTOMER, "Todo se ve bien. Ya cambié los nameservers."),
        ),
    ),
    "ftp_530": Scenario(
        "soporte", ("cPanel",), HOSTING,
        "FileZilla: 530 Login authentication failed",
        "Creé una cuenta FTP en cPanel para el diseñador y al conectarse con FileZilla le sale "
        "«530 Login authentication failed». Copió el usuario tal cual.",
        (
            (REPLY, "Hola, {first}. En las cuentas FTP adicionales el usuario es la dirección "
                    "completa, por ejemplo diseno@{domain}, no solo «diseno». El servidor es "
                    "ftp.{domain} (o la IP {ip}), puerto 21, con «Requiere FTP explícito sobre "
                    "TLS». ¿Puede intentarlo así?"),
            (CUSTOMER, "Era eso, ya se conectó. Gracias."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "ssl_vencido": Scenario(
        "soporte", ("SSL",), ("ssl", *HOSTING),
        "Mi sitio dice «La conexión no es privada»",
        "Desde hoy Chrome muestra «Tu conexión no es privada» (NET::ERR_CERT_DATE_INVALID) en "
        "{domain}. Tengo el certificado SSL contratado con ustedes.",
        (
            (NOTE, "El certificado venció ayer: la renovación falló porque el registro CAA del "
                   "dominio solo autoriza a letsencrypt.org. Actualizar CAA y reemitir."),
            (REPLY, "Hola, {first}. El certificado de {domain} venció ayer porque la renovación "
                    "no pudo validarse: tu dominio tenía un registro CAA que solo autorizaba a "
                    "otra autoridad certificadora. Lo actualizamos en la zona DNS y reemitimos "
                    "el certificado; ya está instalado con vigencia de un año. Quizá tengas "
                    "que cerrar y abrir el navegador para dejar de ver el aviso."),
            (CUSTOMER, "Ya sale el candado, gracias."),
            (RESOLVE, "¡Perfecto! Marcamos el ticket como resuelto."),
        ),
    ),
    "importar_bd": Scenario(
        "soporte", ("Bases de datos",), HOSTING,
        "No puedo importar una base de datos de 300 MB en phpMyAdmin",
        "Necesito importar un respaldo .sql de 300 MB y phpMyAdmin dice que el archivo excede "
        "el tamaño máximo permitido (50 MB).",
        (
            (REPLY, "Hola, {first}. phpMyAdmin tiene un límite de subida de 50 MB. Sube el "
                    "archivo comprimido (.sql.gz) a tu carpeta de inicio con el Administrador "
                    "de archivos o por FTP e indícanos la base de datos de destino; nosotros lo "
                    "importamos desde la consola del servidor."),
            (CUSTOMER, "Listo, lo subí como respaldo_tienda.sql.gz; la base de destino es "
                       "usuario_tienda."),
            (NOTE, "Importado con mysql en 4 min, sin errores: 182 tablas."),
            (RESOLVE, "Importamos el respaldo en usuario_tienda: 182 tablas, sin errores. Borra "
                      "el archivo .sql.gz de tu carpeta para no ocupar espacio."),
        ),
    ),
    "cuota_correo": Scenario(
        "soporte", ("Correo", "Envío y recepción"), HOSTING,
        "No me llegan correos desde hace dos días",
        "Los clientes me dicen que sus correos a facturas@{domain} les rebotan. Yo no recibo "
        "nada desde el martes.",
        (
            (REPLY, "Hola, {first}. La cuenta facturas@{domain} llegó al 100 % de su cuota "
                    "(1 GB); por eso los mensajes rebotan con «mailbox full». Puedes aumentar "
                    "la cuota en cPanel → Cuentas de correo → Administrar, o borrar mensajes "
                    "antiguos con adjuntos grandes. Si prefieres, la subimos a 5 GB por ti."),
            (CUSTOMER, "Súbanla a 5 GB, por favor."),
            (RESOLVE, "Listo: la cuota ya es de 5 GB y los mensajes vuelven a entrar. Los que "
                      "rebotaron no se pueden recuperar; pide a tus clientes que los reenvíen."),
        ),
    ),
    "sitio_lento": Scenario(
        "soporte", ("Sitio web",), HOSTING,
        "El sitio está muy lento desde ayer",
        "{domain} tarda más de 10 segundos en cargar. Ayer estaba normal. ¿Hay algún problema "
        "en el servidor?",
        (
            (NOTE, "Servidor {ip} sin incidencias. La cuenta llega al 100 % de CPU en CloudLinux "
                   "por peticiones masivas a xmlrpc.php."),
            (REPLY, "Hola, {first}. El servidor funciona con normalidad; tu cuenta alcanza su "
                    "límite de CPU por miles de peticiones a xmlrpc.php, un ataque muy común "
                    "contra WordPress. Lo bloqueamos en el .htaccess y la carga bajó a 1,2 s. "
                    "Si tu tienda sigue creciendo, el plan Turbo te daría el doble de recursos."),
            (CUSTOMER, "Gracias, ya va mucho mejor. Lo del plan lo platico con mi socio, pero "
                       "¿me pueden decir cuánto costaría el cambio?"),
        ),
    ),
    "vps_no_responde": Scenario(
        "soporte", (), SERVERS,
        "El VPS no responde: ningún sitio carga",
        "Ningún sitio del VPS carga y no puedo entrar por SSH (tiempo de espera agotado). Es un "
        "servidor de producción.",
        (
            (ASSIGN, ""),
            (REPLY_OPEN, "Hola, {first}. Ya estamos revisando el VPS desde la consola del nodo. "
                         "Te actualizamos en unos minutos."),
            (NOTE, "No arrancó tras el reinicio: kernel nuevo sin el módulo virtio. Arranqué con "
                   "el kernel anterior desde la consola VNC."),
            (REPLY, "El VPS no arrancaba con el kernel que se instaló anoche. Lo iniciamos con "
                    "el kernel anterior y los sitios ya responden. No reinicies hasta fijar el "
                    "kernel anterior como predeterminado en GRUB; si quieres, lo hacemos "
                    "nosotros."),
            (CUSTOMER, "Sí, por favor háganlo ustedes. Gracias por la rapidez."),
            (RESOLVE, "Listo: el kernel estable quedó como predeterminado y probamos un "
                      "reinicio controlado. Todo en línea."),
        ),
        priority="alta",
        diagnostics="ping a {ip}: 100 % de paquetes perdidos desde dos redes distintas. "
                    "ssh root@{ip}: Connection timed out. Último cambio: actualización del "
                    "kernel anoche con reinicio programado.",
    ),
    "php_version": Scenario(
        "soporte", ("cPanel",), HOSTING,
        "Cambiar la versión de PHP a 8.2",
        "Un plugin me pide PHP 8.2 y en mi cuenta tengo la 7.4. ¿Cómo la cambio?",
        (
            (RESOLVE, "Hola, {first}. Puedes cambiarla tú mismo en cPanel → Seleccionar versión "
                      "de PHP → 8.2 → Establecer como actual. Antes haz una copia de seguridad y "
                      "revisa que tu tema y tus plugins sean compatibles; si algo falla, vuelve "
                      "a 7.4 desde la misma pantalla."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "cron": Scenario(
        "soporte", ("cPanel",), HOSTING,
        "La tarea cron no se ejecuta",
        "Configuré una tarea cron en cPanel para ejecutar un script PHP cada 15 minutos pero no "
        "hace nada. El comando es: php public_html/cron/enviar.php",
        (
            (REPLY, "Hola, {first}. Usa la ruta completa del intérprete y del script, y guarda "
                    "la salida en un archivo para ver los errores: /usr/local/bin/php "
                    "/home/usuario/public_html/cron/enviar.php >> /home/usuario/cron.log 2>&1. "
                    "¿Nos avisas si después de 15 minutos aparece algo en cron.log?"),
        ),
    ),
    "olvide_pass_correo": Scenario(
        "soporte", ("Restablecer contraseña",), HOSTING,
        "Olvidé la contraseña de una cuenta de correo",
        "La asistente olvidó la contraseña de recepcion@{domain}. ¿Me la pueden decir?",
        (
            (REPLY, "Hola, {first}. Por seguridad no podemos ver ni enviar contraseñas. Puedes "
                    "asignar una nueva en cPanel → Cuentas de correo → recepcion@{domain} → "
                    "Administrar → Contraseña. Recuerda actualizarla en los equipos donde esté "
                    "configurada."),
            (CUSTOMER, "Ya la cambié, gracias."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    # Facturación ----------------------------------------------------------
    "cobro_duplicado": Scenario(
        "facturacion", ("Pagos",), HOSTING,
        "Me cobraron dos veces la renovación",
        "En mi estado de cuenta aparecen dos cargos de $1,899.00 MXN por la renovación del "
        "pedido #{order}. Solo debí pagar uno.",
        (
            (NOTE, "Confirmado: dos cargos en la pasarela por un reintento automático tras un "
                   "timeout. Solicitar reembolso del segundo."),
            (REPLY, "Hola, {first}. Tienes razón: la pasarela de pago registró dos cargos por "
                    "un reintento automático. Ya solicitamos el reembolso del segundo; el banco "
                    "suele reflejarlo en 5 a 10 días hábiles."),
            (CUSTOMER, "Gracias. ¿Me pueden mandar el comprobante cuando lo tengan?"),
            (RESOLVE, "Ya está en Área de cliente → Facturas el comprobante del reembolso con su "
                      "folio de autorización. Si en 10 días hábiles no lo ves reflejado, "
                      "contéstanos y lo revisamos con el banco."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "factura_cfdi": Scenario(
        "facturacion", ("Preguntas de facturación",), HOSTING,
        "Necesito factura (CFDI) de mi último pago",
        "Necesito la factura del pago del pedido #{order}. Mis datos fiscales (RFC, razón "
        "social y régimen) ya están en mi perfil; el uso del CFDI es G03.",
        (
            (REPLY, "Hola, {first}. Emitimos el CFDI 4.0 con uso G03; ya puedes descargar el PDF "
                    "y el XML en Área de cliente → Facturas. Revisa que el código postal fiscal "
                    "coincida con tu constancia de situación fiscal; si no, el SAT lo "
                    "rechazará."),
            (CUSTOMER, "El código postal está mal, el correcto es 06700."),
            (REPLY, "Corregimos el código postal a 06700, cancelamos el CFDI anterior y "
                    "emitimos uno nuevo; ya está en Facturas. ¿Nos confirmas que ahora está "
                    "bien?"),
        ),
    ),
    "comprobante": Scenario(
        "facturacion", ("Pagos",), HOSTING,
        "Envío comprobante de pago por transferencia",
        "Pagué por transferencia SPEI la factura del pedido #{order}. Adjunto el comprobante. "
        "¿Cuánto tarda en aplicarse?",
        (
            (RESOLVE, "Hola, {first}. Recibimos tu comprobante y aplicamos el pago: la factura "
                      "ya aparece como pagada y el servicio sigue activo. Los pagos por SPEI se "
                      "aplican en un máximo de 24 horas hábiles."),
        ),
        attachment=("comprobante_spei.txt",
                    "Comprobante Electrónico de Pago (CEP)\n"
                    "Tipo de operación: SPEI\nImporte: $1,899.00 MXN\n"
                    "Concepto: Pedido {order}\nEstado: Liquidada\n"),
    ),
    "cancelacion": Scenario(
        "facturacion", ("Cancelación de cuenta",), HOSTING,
        "Quiero cancelar mi hosting",
        "Quiero cancelar el servicio {service} porque cerramos el negocio. ¿Hay reembolso por "
        "los meses que no usé?",
        (
            (REPLY, "Hola, {first}. Lamentamos que cierres el negocio. Podemos cancelar el "
                    "servicio al final del periodo pagado o de inmediato. El reembolso "
                    "proporcional aplica en los primeros 30 días y tu servicio se renovó hace "
                    "4 meses, así que no aplica. Antes de cancelar, descarga una copia de "
                    "seguridad completa desde cPanel. ¿Cómo prefieres que lo hagamos?"),
            (CUSTOMER, "Que se cancele al final del periodo, por favor."),
            (RESOLVE, "Listo: programamos la cancelación para el fin de tu periodo pagado. Hasta "
                      "entonces el servicio funciona con normalidad y no se generará otra "
                      "factura."),
        ),
    ),
    "aumento_precio": Scenario(
        "facturacion", ("Preguntas de facturación",), HOSTING,
        "¿Por qué subió el precio de la renovación?",
        "El año pasado pagué menos por mi plan y ahora la factura de renovación es más alta. "
        "¿Es un error?",
        (
            (REPLY, "Hola, {first}. No es un error: el primer año contrataste con precio "
                    "promocional y la renovación se factura a la tarifa regular del plan. Si "
                    "renuevas por 3 años obtienes un 20 % de descuento. ¿Quieres que cambiemos "
                    "el ciclo de facturación?"),
            (CUSTOMER, "Sí, cámbienlo a 3 años, por favor."),
        ),
    ),
    "suspendido_pago": Scenario(
        "facturacion", ("Pagos",), HOSTING,
        "Mi sitio está suspendido y ya pagué",
        "Mi sitio {domain} muestra la página de cuenta suspendida, pero pagué ayer con tarjeta. "
        "Es urgente: es la página de la empresa.",
        (
            (ASSIGN, ""),
            (REPLY, "Hola, {first}. El pago se aplicó, pero la reactivación automática falló. "
                    "Reactivamos el servicio manualmente; el sitio ya debe estar en línea. "
                    "Disculpa las molestias."),
            (CUSTOMER, "Ya está arriba. Gracias."),
            (AGENT_CLOSES, ""),
        ),
        priority="alta",
        diagnostics="La página muestra «Cuenta suspendida». Pagué con tarjeta ayer a las 18:40; "
                    "la referencia de la pasarela está en mi Área de cliente.",
    ),
    # Ventas ---------------------------------------------------------------
    "cambio_plan": Scenario(
        "ventas", ("Nueva cuenta",), HOSTING,
        "Quiero pasar del plan Emprendedor al Negocios",
        "Necesito más espacio y más cuentas de correo. ¿Cómo paso al plan Negocios sin perder "
        "mi sitio?",
        (
            (REPLY, "Hola, {first}. El cambio de plan se hace sin migración ni tiempo fuera de "
                    "línea: solo se amplían los recursos de tu cuenta y pagas la diferencia "
                    "proporcional al tiempo restante. Puedes pedirlo en Área de cliente → "
                    "Servicios → Cambiar plan, o confirmarnos aquí y generamos la orden."),
            (CUSTOMER, "Confirmo, genérenla por favor."),
            (RESOLVE, "Generamos la orden de cambio; en cuanto se pague la diferencia, el plan "
                      "se actualiza automáticamente."),
        ),
    ),
    "dominio_es": Scenario(
        "ventas", ("Dominios",), ("dominio",),
        "¿Puedo registrar un dominio .es desde México?",
        "Quiero registrar la versión .es de mi marca. ¿Se puede desde México? ¿Qué requisitos "
        "hay?",
        (
            (REPLY, "Hola, {first}. Sí, los dominios .es se pueden registrar desde cualquier "
                    "país; solo necesitas un documento de identidad (pasaporte o, para "
                    "empresas, el identificador fiscal). El registro mínimo es de un año. "
                    "¿Revisamos la disponibilidad de algún nombre en concreto?"),
        ),
    ),
    "cotizacion_dedicado": Scenario(
        "ventas", ("Otros",), (),
        "Cotización de servidor dedicado para nuestro ERP",
        "Queremos alojar nuestro ERP: unos 40 usuarios concurrentes y una base de datos "
        "PostgreSQL de 60 GB. ¿Qué servidor dedicado nos recomiendan y cuál es el costo "
        "mensual?",
        (
            (NOTE, "Cliente potencial grande; pasar a supervisión si pide descuento por "
                   "contrato anual."),
            (REPLY, "Hola, {first}. Para ese volumen recomendamos el dedicado Xeon E-2388G con "
                    "64 GB de RAM y dos discos NVMe de 1 TB en RAID 1, con respaldos diarios y "
                    "soporte administrado. Te enviamos la cotización formal al correo "
                    "registrado. ¿Agendamos una llamada con un ingeniero?"),
            (CUSTOMER, "Sí, ¿podría ser el jueves a las 11:00?"),
        ),
    ),
    "reventa": Scenario(
        "ventas", ("Nueva cuenta",), (),
        "Información del plan de reventa",
        "Soy diseñadora web y quiero alojar los sitios de mis clientes. ¿El plan de reventa "
        "incluye WHM? ¿Puedo poner mi propia marca?",
        (
            (RESOLVE, "Hola, {first}. Sí: los planes de reventa incluyen WHM para crear cuentas "
                      "de cPanel independientes, nameservers personalizados con tu dominio y "
                      "marca blanca (tus clientes no verán nuestro nombre). La activación es "
                      "inmediata."),
            (CUSTOMER, "Perfecto. ¿Migran también las cuentas que tengo en otro proveedor?"),
        ),
    ),
    # Operaciones — SSL y dominios -----------------------------------------
    "dns_propagacion": Scenario(
        "operaciones", ("Dominios", "DNS"), ("dominio", *HOSTING),
        "Cambié los DNS y el dominio sigue en el proveedor anterior",
        "Hola, ayer por la tarde cambié los nameservers de {domain} a ns1.example.net y "
        "ns2.example.net como indica el correo de bienvenida, pero el sitio sigue mostrando la "
        "página vieja y los correos siguen llegando al otro servidor. ¿Falta algo?",
        (
            (REPLY, "Hola, {first}. Revisamos {domain}: el registro ya tiene ns1.example.net y "
                    "ns2.example.net. El cambio de DNS tarda entre 24 y 48 horas en propagarse "
                    "por completo, según la caché de cada proveedor de internet. Mientras "
                    "tanto, compruébalo desde otra red (por ejemplo, los datos del celular) o "
                    "en whatsmydns.net. Si mañana a esta hora sigue igual, respóndenos."),
            (CUSTOMER, "Desde el celular ya veo el sitio nuevo, pero en la oficina sigue el "
                       "anterior. ¿Es normal?"),
            (RESOLVE, "Sí, es normal: la red de tu oficina todavía guarda la respuesta anterior. "
                      "Vacía la caché DNS de tu equipo con «ipconfig /flushdns» (Windows) o "
                      "reinicia el módem. En unas horas todas las redes verán el servidor "
                      "nuevo."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "renovacion_dominio": Scenario(
        "operaciones", ("Dominios", "Renovación"), ("dominio",),
        "Se venció mi dominio {domain}",
        "No vi el aviso de renovación y {domain} venció hace cinco días. El sitio y el correo "
        "dejaron de funcionar. ¿Todavía lo puedo recuperar?",
        (
            (REPLY, "Hola, {first}. Sí: el dominio está en periodo de gracia y puedes renovarlo "
                    "al precio normal. Generamos la factura de renovación en tu Área de "
                    "cliente; en cuanto se pague, lo renovamos."),
            (CUSTOMER, "Ya pagué la factura."),
            (NOTE, "Renovado en el registro por un año; nameservers restaurados."),
            (RESOLVE, "Renovamos {domain} por un año y restauramos sus nameservers. El sitio y "
                      "el correo vuelven en las próximas horas. Te recomendamos activar la "
                      "renovación automática."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "transferencia_epp": Scenario(
        "operaciones", ("Dominios", "Transferencia"), ("dominio",),
        "Transferir mi dominio desde otro registrador",
        "Quiero transferir {domain} con ustedes. Ya tengo el código EPP. ¿Qué más necesito?",
        (
            (REPLY, "Hola, {first}. Para la transferencia: 1) desbloquea el dominio en tu "
                    "registrador actual; 2) verifica que el correo del titular esté vigente, "
                    "porque llegará una confirmación; 3) solicítala en Área de cliente → "
                    "Dominios → Transferir con el código EPP. Tarda de 5 a 7 días y suma un año "
                    "a la vigencia."),
            (CUSTOMER, "Ya la solicité, pero me dice que el código es inválido."),
            (REPLY, "El registrador anterior invalida el código cuando se genera uno nuevo. "
                    "Pide otro, cópialo sin espacios al inicio ni al final (distingue "
                    "mayúsculas) y vuelve a intentarlo."),
        ),
    ),
    "mx_google": Scenario(
        "operaciones", ("Dominios", "Gestión DNS"), ("dominio", *HOSTING),
        "Agregar registros MX para Google Workspace",
        "Contratamos Google Workspace y nos piden cambiar los registros MX de {domain}. ¿Lo "
        "pueden hacer ustedes?",
        (
            (RESOLVE, "Hola, {first}. Listo: reemplazamos los MX de {domain} por el de Google "
                      "(smtp.google.com, prioridad 1), agregamos el TXT de verificación y "
                      "actualizamos el SPF a «v=spf1 include:_spf.google.com ~all». También "
                      "marcamos el enrutamiento de correo como remoto en cPanel."),
            (CUSTOMER, "Gracias, ya nos llegan los correos a Gmail."),
            (CUSTOMER_CLOSES, ""),
        ),
    ),
    "ssl_ov": Scenario(
        "operaciones", ("Certificados SSL de pago",), ("ssl",),
        "Validación del certificado SSL OV",
        "Compramos un certificado SSL con validación de organización para {domain}. ¿Qué "
        "documentos necesitan?",
        (
            (REPLY, "Hola, {first}. Para el certificado OV la autoridad certificadora verifica "
                    "la existencia legal de la empresa: necesitamos la constancia de situación "
                    "fiscal o el acta constitutiva, un teléfono verificable en un directorio "
                    "público y la aprobación por correo en admin@{domain}. Súbelos en Área de "
                    "cliente → Servicios → {service} → Validación."),
            (CUSTOMER, "Ya subí la constancia de situación fiscal."),
            (NOTE, "Documentación enviada a la CA; falta la llamada de verificación."),
            (REPLY, "La autoridad certificadora recibió los documentos. Falta una llamada de "
                    "verificación al teléfono de la empresa en los próximos días hábiles; al "
                    "completarla, emitimos e instalamos el certificado. ¿Nos confirmas el "
                    "horario en que pueden atenderla?"),
        ),
    ),
    "compra_com_mx": Scenario(
        "operaciones", ("Dominios", "Compra de dominio"), (),
        "El registro de mi dominio .com.mx quedó pendiente",
        "Intenté registrar un .com.mx y el pedido quedó en «Pendiente». ¿Falta algo?",
        (
            (REPLY, "Hola, {first}. El registro se detuvo porque el nombre del titular estaba "
                    "incompleto; el registro de .mx rechaza contactos sin nombre y apellido. "
                    "Actualízalo en Área de cliente → Dominios → Datos de contacto y volvemos a "
                    "enviar la solicitud."),
            (CUSTOMER, "Ya lo corregí."),
        ),
    ),
    "ssl_nginx_vps": Scenario(
        "operaciones", ("Certificados SSL de pago",), ("vps", "dedicado", "ssl"),
        "Instalar el certificado SSL en mi VPS con Nginx",
        "Tengo el certificado SSL pagado y quiero instalarlo en mi VPS con Nginx. ¿Qué archivos "
        "necesito?",
        (
            (REPLY, "Hola, {first}. Necesitas la clave privada con la que se generó el CSR, el "
                    "certificado y la cadena intermedia. En Nginx se concatenan certificado e "
                    "intermedio en un archivo (ssl_certificate) y la clave va en "
                    "ssl_certificate_key. Si no conservas la clave privada, reemitimos el "
                    "certificado con un CSR nuevo."),
            (CUSTOMER, "No tengo la clave privada, ¿me ayudan a reemitir?"),
            (NOTE, "CSR de 2048 bits; la reemisión no tiene costo."),
            (REPLY, "Claro. Genera el CSR en el VPS con: openssl req -new -newkey rsa:2048 "
                    "-nodes -keyout {domain}.key -out {domain}.csr y pega aquí el contenido "
                    "del .csr (solo el CSR, nunca la clave privada)."),
        ),
    ),
    # Abuso y seguridad ----------------------------------------------------
    "sitio_hackeado": Scenario(
        "abuso", ("Malware y seguridad",), HOSTING,
        "Mi sitio fue hackeado: redirige a páginas de apuestas",
        "Al entrar a {domain} desde Google con el celular nos redirige a una página de "
        "apuestas. En la computadora a veces también pasa. Necesitamos ayuda urgente.",
        (
            (ASSIGN, ""),
            (NOTE, "Escaneo: 37 archivos con código ofuscado (base64) en wp-includes y uploads; "
                   ".htaccess con redirección condicionada al referer. Vector: tema pirata."),
            (REPLY, "Hola, {first}. Confirmamos la infección: código malicioso en 37 archivos y "
                    "una regla en el .htaccess que redirige a quien llega desde buscadores. "
                    "Limpiamos los archivos, restauramos el .htaccess y reinstalamos el núcleo "
                    "de WordPress. Ahora: 1) cambia todas las contraseñas (cPanel, WordPress, "
                    "FTP); 2) elimina el tema descargado fuera del repositorio oficial; 3) "
                    "actualiza los plugins. ¿Nos confirmas cuando lo hagas?"),
            (CUSTOMER, "Ya cambié todas las contraseñas y borré el tema. ¿Cómo sé que no "
                       "vuelve?"),
            (RESOLVE, "El escaneo de hoy sale limpio. Para prevenir reinfecciones te "
                      "recomendamos SiteLock, que escanea a diario y elimina malware "
                      "automáticamente. Marcamos el ticket como resuelto."),
        ),
        priority="alta",
        diagnostics="Redirección solo al llegar desde Google o desde el celular. Empezó después "
                    "de instalar un tema descargado de internet. Archivos modificados hace "
                    "poco en wp-includes.",
    ),
    "abuso_spam": Scenario(
        "abuso", ("Reporte de abuso",), HOSTING,
        "Aviso de abuso: envío de spam desde mi cuenta",
        "Recibí un correo de ustedes que dice que mi cuenta envía spam y que limitaron el "
        "correo. Yo no he enviado nada masivo.",
        (
            (REPLY, "Hola, {first}. Detectamos más de 5 000 mensajes en una hora desde el script "
                    "wp-content/uploads/2024/form.php, que no es parte de WordPress: alguien lo "
                    "subió aprovechando un plugin vulnerable. Lo eliminamos y limitamos el envío "
                    "temporalmente. Para levantar el límite, actualiza todos los plugins y "
                    "cambia la contraseña de WordPress."),
            (CUSTOMER, "Ya actualicé todo y cambié la contraseña."),
            (NOTE, "Cola de correo limpia; la IP del servidor no está en listas negras "
                   "(Spamhaus, Barracuda). Levantar el límite."),
            (RESOLVE, "Gracias. Levantamos el límite de envío y comprobamos que la IP del "
                      "servidor no está en listas negras. Vigilaremos la cuenta unos días."),
        ),
    ),
    "sitelock_malware": Scenario(
        "abuso", ("Malware y seguridad",), ("sitelock", *HOSTING),
        "SiteLock detectó malware en mi sitio",
        "SiteLock me avisó de malware en {domain}: «Malicious code found in "
        "wp-content/plugins/contact-form/». ¿Qué hago?",
        (
            (REPLY, "Hola, {first}. Revisamos el aviso: el archivo infectado es de una versión "
                    "antigua del plugin de formularios y SiteLock ya lo puso en cuarentena. "
                    "Actualiza el plugin a la última versión desde el escritorio de WordPress y "
                    "lanza un escaneo nuevo desde el panel de SiteLock. ¿Nos cuentas el "
                    "resultado?"),
        ),
    ),
    "phishing": Scenario(
        "abuso", ("Reporte de abuso",), HOSTING,
        "Nos reportaron phishing en mi dominio",
        "Un banco nos escribió: dice que en {domain}/.well-known/secure/ hay una página de "
        "phishing. Nosotros no creamos eso.",
        (
            (NOTE, "Carpeta subida con la cuenta FTP «web» (contraseña débil). Carpeta "
                   "eliminada y cuenta FTP suspendida; reporte del banco respondido."),
            (REPLY, "Hola, {first}. Encontramos la carpeta con la página falsa; se subió con la "
                    "cuenta FTP «web», que tenía una contraseña débil. La eliminamos, "
                    "suspendimos esa cuenta FTP y respondimos al banco. Cambia la contraseña de "
                    "cPanel y de todas tus cuentas FTP."),
            (CUSTOMER, "Hecho. Eliminé la cuenta FTP que ya no usábamos."),
            (AGENT_CLOSES, ""),
        ),
    ),
    "codeguard_restaurar": Scenario(
        "abuso", ("Malware y seguridad",), ("codeguard", *HOSTING),
        "Restaurar una copia de CodeGuard después de una infección",
        "Tenemos CodeGuard. Queremos dejar el sitio como estaba hace una semana, antes de la "
        "infección. ¿Cómo lo hacemos sin perder los pedidos nuevos?",
        (
            (REPLY, "Hola, {first}. En CodeGuard puedes restaurar solo los archivos, sin la base "
                    "de datos, y así conservas los pedidos nuevos: elige la copia del día "
                    "anterior a la infección → Restaurar → Solo archivos. Después cambia tus "
                    "contraseñas. ¿Quieres que lo hagamos nosotros?"),
            (CUSTOMER, "Sí, por favor, háganlo ustedes. La copia del día 3."),
            (REPLY_OPEN, "De acuerdo: iniciamos la restauración de archivos con la copia del "
                         "día 3. Tarda unos 30 minutos; te avisamos al terminar."),
        ),
    ),
}


# --- The tickets ------------------------------------------------------------


class DemoTicket(NamedTuple):
    scenario: str
    customer: str  # DemoCustomer.key
    opened_days_ago: float
    last_days_ago: float  # when its last step happened
    steps: int | None = None  # play only the first n steps (None: all)


T = DemoTicket
# Pendiente/Resuelto tickets last touched more than 2 days ago get the
# auto-close warning on the first sweep, those over 3 days are closed by it.
TICKETS = [
    # cliente@example.com: a ticket in every status.
    T("error_500_woocommerce", "demo", 0.30, 0.10, steps=2),  # Abierto, Alta
    T("dns_propagacion", "demo", 1.20, 0.40, steps=1),  # Pendiente
    T("ssl_vencido", "demo", 3.00, 0.60),  # Resuelto
    T("cobro_duplicado", "demo", 30.0, 24.0),  # Cerrado
    T("sitelock_malware", "demo", 4.00, 2.40),  # Pendiente, warning due
    # Soporte técnico
    T("correo_rebota_gmail", "carlos", 6.00, 1.50),
    T("correo_rebota_gmail", "gabriela", 2.00, 0.70, steps=2),
    T("wordpress_pantalla_blanca", "paula", 40.0, 38.0),
    T("wordpress_pantalla_blanca", "daniela", 0.10, 0.10, steps=0),
    T("error_500_woocommerce", "valentina", 2.00, 1.20),
    T("mysql_conexion", "fernanda", 3.00, 1.10),
    T("mysql_conexion", "mariana", 0.20, 0.20, steps=0),
    T("cpanel_acceso", "miguel", 20.0, 19.0),
    T("cpanel_acceso", "sergio", 33.0, 32.9),
    T("outlook_imap", "lucia", 5.00, 0.90),
    T("outlook_imap", "roberto", 3.00, 0.50, steps=2),
    T("spam_info", "isabel", 8.00, 1.80),
    T("spam_info", "javier", 4.00, 0.80, steps=2),
    T("migracion", "pablo", 7.00, 0.30),
    T("migracion", "sofia", 2.00, 1.00, steps=2),
    T("ftp_530", "camila", 15.0, 14.0),
    T("ftp_530", "mariana", 35.0, 34.5),
    T("ssl_vencido", "roberto", 0.15, 0.15, steps=0),
    T("importar_bd", "andres", 2.50, 0.80),
    T("cuota_correo", "gabriela", 1.50, 0.25),
    T("cuota_correo", "miguel", 2.90, 2.60, steps=1),  # warning due
    T("sitio_lento", "daniela", 6.00, 3.00),  # waits for an agent: never closes
    T("vps_no_responde", "diego", 5.00, 4.60),  # closed by the first sweep
    T("vps_no_responde", "alejandro", 0.08, 0.03, steps=3),
    T("php_version", "valentina", 25.0, 24.0),
    T("php_version", "fernanda", 18.0, 17.5),
    T("cron", "ricardo", 1.10, 1.00),
    T("olvide_pass_correo", "lucia", 13.0, 12.0),
    T("olvide_pass_correo", "camila", 40.0, 39.0),
    # Facturación
    T("cobro_duplicado", "javier", 3.00, 2.20, steps=2),  # warning due
    T("factura_cfdi", "gabriela", 1.00, 0.50),
    T("factura_cfdi", "roberto", 0.40, 0.40, steps=0),
    T("comprobante", "carlos", 1.20, 1.10),
    T("cancelacion", "mariana", 4.00, 1.90),
    T("cancelacion", "miguel", 0.90, 0.60, steps=1),
    T("aumento_precio", "camila", 2.00, 0.90),
    T("suspendido_pago", "sergio", 22.0, 21.9),
    T("suspendido_pago", "pablo", 9.00, 8.90),
    # Ventas
    T("cambio_plan", "daniela", 2.20, 1.40),
    T("cambio_plan", "fernanda", 0.60, 0.50, steps=1),
    T("dominio_es", "alejandro", 1.30, 1.20),
    T("dominio_es", "valentina", 0.05, 0.05, steps=0),
    T("cotizacion_dedicado", "andres", 3.50, 2.00),
    T("reventa", "sofia", 2.80, 0.70),
    # Operaciones — SSL y dominios
    T("dns_propagacion", "ricardo", 12.0, 10.0),
    T("renovacion_dominio", "lucia", 44.0, 43.0),
    T("renovacion_dominio", "isabel", 2.00, 1.30, steps=4),
    T("transferencia_epp", "paula", 4.00, 0.40),
    T("transferencia_epp", "ricardo", 0.70, 0.70, steps=0),
    T("mx_google", "javier", 28.0, 27.0),
    T("mx_google", "carlos", 1.60, 1.50, steps=1),
    T("ssl_ov", "pablo", 6.00, 1.70),
    T("compra_com_mx", "sergio", 1.00, 0.20),
    T("ssl_nginx_vps", "alejandro", 3.00, 0.90),
    # Abuso y seguridad
    T("sitio_hackeado", "isabel", 9.00, 2.50),  # Resuelto, warning due
    T("sitio_hackeado", "paula", 0.12, 0.12, steps=0),
    T("abuso_spam", "miguel", 2.50, 1.20),
    T("abuso_spam", "sofia", 1.40, 1.30, steps=1),
    T("sitelock_malware", "lucia", 1.00, 0.80),
    T("phishing", "diego", 16.0, 15.0),
    T("phishing", "andres", 1.00, 0.90, steps=2),
    T("codeguard_restaurar", "ricardo", 0.50, 0.45),
]
