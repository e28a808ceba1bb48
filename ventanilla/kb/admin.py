"""The knowledge base in the Spanish admin. Articles are saved through
kb.services, so an admin edit also keeps a revision and updates the index."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    KbCategory,
    SelfServiceSession,
)
from .services import ArticleData


@admin.register(KbCategory)
class KbCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "author", "title", "status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "category", "language", "status", "visibility", "views",
                    "helpful_yes", "helpful_no", "updated_at"]
    list_filter = ["status", "visibility", "language", "category"]
    search_fields = ["title", "slug"]
    fields = ["title", "slug", "summary", "category", "language", "status", "visibility", "tags",
              "related", "body"]
    filter_horizontal = ["related"]
    inlines = [RevisionInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved, _changed = services.article_save(ArticleData(
            slug=data["slug"], title=data["title"], body=data["body"],
            category=data["category"].name, summary=data["summary"],
            language=data["language"], status=data["status"], visibility=data["visibility"],
            tags=list(data["tags"] or []),
            related=[a.slug for a in data["related"]],
        ), author=request.user, note=_("Editado en el admin"))
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The service already set the related articles.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.article_delete(obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "comment", "created_at"]
    list_filter = ["helpful"]
    readonly_fields = ["article", "helpful", "comment", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SelfServiceSession)
class SelfServiceSessionAdmin(admin.ModelAdmin):
    list_display = ["question", "user", "place", "opened", "outcome", "ticket", "created_at"]
    list_filter = ["outcome", "place"]
    readonly_fields = ["token", "user", "place", "question", "shown", "opened", "outcome",
                       "ticket", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False
