"""Every URL of the kb app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

from django.urls import path

from . import console_views, views

app_name = "kb"
urlpatterns = [
    path("ayuda/", views.help_home, name="help_home"),
    path("ayuda/sitemap.xml", views.sitemap, name="sitemap"),
    path("ayuda/categoria/<slug:slug>/", views.category, name="category"),
    path("ayuda/autoservicio/", views.selfservice_record, name="selfservice_record"),
    path("ayuda/autoservicio/<str:token>/resultado/", views.selfservice_outcome,
         name="selfservice_outcome"),
    path("ayuda/autoservicio/<str:token>/ticket/", views.selfservice_escalate,
         {"to": "ticket"}, name="selfservice_ticket"),
    path("ayuda/autoservicio/<str:token>/chat/", views.selfservice_escalate,
         {"to": "chat"}, name="selfservice_chat"),
    path("ayuda/<slug:slug>/", views.article, name="article"),
    path("ayuda/<slug:slug>/valorar/", views.article_feedback, name="article_feedback"),
    path("ayuda/<slug:slug>/valorar/<int:feedback_id>/comentario/", views.feedback_comment,
         name="feedback_comment"),
    path("api/v1/kb/search", views.api_search, name="api_search"),
    path("consola/ayuda/", console_views.article_list, name="console_articles"),
    path("consola/ayuda/nuevo/", console_views.article_new, name="console_article_new"),
    path("consola/ayuda/vista-previa/", console_views.article_preview,
         name="console_article_preview"),
    path("consola/ayuda/informe/", console_views.report, name="console_report"),
    path("consola/ayuda/<slug:slug>/", console_views.article_edit, name="console_article_edit"),
    path("consola/ayuda/<slug:slug>/revisiones/", console_views.article_revisions,
         name="console_article_revisions"),
]
