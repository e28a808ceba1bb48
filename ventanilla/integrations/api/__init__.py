"""The REST API, /api/v1/: one NinjaAPI, one router per resource.

Adding a resource (kb, status, chat, sla...) is one module with a `router`
and one line in RESOURCE_ROUTERS below, plus its name in
models.API_RESOURCES for the read/write scopes; see docs/integrations.md."""

from importlib import import_module

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .auth import ApiKeyAuth
from .errors import PROBLEM_CONTENT_TYPE, install_handlers

# URL prefix → "module:attribute" of its router.
RESOURCE_ROUTERS = {
    "/customers": "ventanilla.integrations.api.customers:router",
    "/services": "ventanilla.integrations.api.hosting:router",
    "/tickets": "ventanilla.integrations.api.tickets:router",
    "/attachments": "ventanilla.integrations.api.tickets:attachments_router",
    "/chats": "ventanilla.integrations.api.chat:router",
    "/kb": "ventanilla.integrations.api.kb:router",
    "/sla": "ventanilla.integrations.api.sla:router",
    "/status": "ventanilla.integrations.api.status:router",
    "/billing-events": "ventanilla.integrations.api.billing:router",
}


class VentanillaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Errors are documented as what they are: application/problem+json."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                for code, response in responses.items():
                    if str(code).startswith("4") and "application/json" in response.get("content", {}):
                        response["content"] = {
                            PROBLEM_CONTENT_TYPE: response["content"]["application/json"]}
        return schema


def build_api() -> NinjaAPI:
    api = VentanillaAPI(
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
