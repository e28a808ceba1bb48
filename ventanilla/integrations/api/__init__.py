"""The REST API, /api/v1/: one NinjaAPI, one router per resource.

Adding a resource (kb, status, chat, sla...) is one module with a `router`
and one line in RESOURCE_ROUTERS below, plus its name in
models.API_RESOURCES for the read/write scopes; see docs/integrations.md."""

from importlib import import_module

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .auth import ApiKeyAuth
from .errors import install_handlers

# URL prefix → "module:attribute" of its router.
RESOURCE_ROUTERS = {
    "/customers": "ventanilla.integrations.api.customers:router",
    "/services": "ventanilla.integrations.api.hosting:router",
    "/tickets": "ventanilla.integrations.api.tickets:router",
    "/attachments": "ventanilla.integrations.api.tickets:attachments_router",
}


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Ventanilla API",
        version="1",
        description=str(_("API REST de Ventanilla. Autenticación: `Authorization: Bearer …`.")),
        urls_namespace="integrations:api-v1",
        auth=ApiKeyAuth(),
        docs=Swagger(settings={"persistAuthorization": False}),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_handlers(api)
    for prefix, target in RESOURCE_ROUTERS.items():
        module_name, attribute = target.split(":")
        api.add_router(prefix, getattr(import_module(module_name), attribute))
    return api


api = build_api()
