"""A few articles of our own, so the kb tests never depend on the demo content."""

import pytest

from ventanilla.kb.services import ArticleData, article_save

FIXTURE_ARTICLES = [
    ArticleData(slug="configurar-correo-outlook", title="Configurar tu correo en Outlook",
                category="Correo", tags=["correo", "outlook", "imap"],
                summary="Cómo añadir tu cuenta de correo a Outlook.",
                body="# Configurar tu correo en Outlook\n\nAbre Outlook y elige **Agregar cuenta**. "
                     "La configuración usa IMAP en el puerto 993 y SMTP en el 465.\n"),
    ArticleData(slug="correo-no-llega", title="No me llegan los correos",
                category="Correo", tags=["correo", "spam", "mx"],
                summary="Qué revisar cuando los mensajes no llegan a tu buzón.",
                body="Revisa los registros MX del dominio y la carpeta de spam. Si el buzón está "
                     "lleno, los mensajes se rechazan.\n"),
    ArticleData(slug="ssl-gratis", title="Certificado SSL gratuito y redirección a https",
                category="Seguridad", tags=["ssl", "https", "certificado"],
                summary="Activa el certificado SSL gratis de tu sitio.",
                body="El certificado se instala solo. Para forzar https añade la redirección en "
                     ".htaccess. La página mostrará el candado.\n"),
    ArticleData(slug="wordpress-error-404", title="WordPress muestra error 404 en las páginas",
                category="WordPress", tags=["wordpress", "enlaces permanentes"],
                summary="Regenera los enlaces permanentes.",
                body="Entra a Ajustes → Enlaces permanentes y pulsa Guardar. Revisa el archivo "
                     ".htaccess.\n"),
    ArticleData(slug="cambiar-dns", title="Cambiar los nameservers de tu dominio",
                category="Dominios", tags=["dns", "nameservers", "propagación"],
                summary="Apunta tu dominio a nuestros servidores DNS.",
                body="La propagación de los DNS tarda hasta 48 horas. Mientras tanto tu página "
                     "puede verse desde el servidor anterior.\n"),
    ArticleData(slug="change-nameservers", title="Change your domain's nameservers",
                category="Dominios", language="en", tags=["dns"],
                summary="Point your domain to our DNS servers.",
                body="DNS propagation can take up to 48 hours.\n"),
    ArticleData(slug="procedimiento-interno-abuso", title="Procedimiento interno de abuso de correo",
                category="Correo", visibility="internal", tags=["abuso", "correo"],
                body="Solo agentes: suspender el buzón que envía spam y avisar al cliente.\n"),
    ArticleData(slug="borrador-correo", title="Borrador sobre correo y spam", category="Correo",
                status="draft", body="Texto sin terminar sobre correo.\n"),
]


@pytest.fixture
def articles(db):
    return {data.slug: article_save(data)[0] for data in FIXTURE_ARTICLES}
