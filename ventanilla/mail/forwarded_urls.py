from django.urls import path

from . import forwarded_views as views

app_name = "forwarded"

urlpatterns = [
    path("adjuntos/<int:attachment_id>/mensaje/", views.forwarded_message, name="message"),
    path("adjuntos/<int:attachment_id>/mensaje/archivos/<int:number>/", views.forwarded_file,
         name="file"),
]
