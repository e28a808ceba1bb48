from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleStatus, KbCategory, Language, Visibility

RESERVED_SLUGS = {"categoria", "autoservicio", "buscar", "sugerencias"}


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=200,
                            error_messages={"required": _("Escribe un título.")})
    slug = forms.SlugField(
        label=_("Slug"), max_length=120,
        help_text=_("La dirección será /ayuda/<slug>/. No la cambies después de publicar."),
        error_messages={"required": _("Escribe el slug."),
                        "invalid": _("Solo letras sin acentos, números y guiones.")})
    summary = forms.CharField(label=_("Resumen"), max_length=300, required=False,
                              help_text=_("Una frase: aparece en los resultados y en buscadores."))
    category = forms.CharField(label=_("Categoría"), max_length=100,
                               help_text=_("Se crea si no existe."),
                               error_messages={"required": _("Escribe la categoría.")})
    language = forms.ChoiceField(label=_("Idioma"), choices=Language.choices)
    status = forms.ChoiceField(label=_("Estado"), choices=ArticleStatus.choices)
    visibility = forms.ChoiceField(label=_("Visibilidad"), choices=Visibility.choices)
    tags = forms.CharField(label=_("Etiquetas"), required=False, max_length=500,
                           help_text=_("Separadas por comas."))
    related = forms.CharField(label=_("Artículos relacionados"), required=False, max_length=1000,
                              help_text=_("Slugs separados por comas."))
    body = forms.CharField(label=_("Contenido (Markdown)"), max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 22, "class": "kb-editor__source"}),
                           error_messages={"required": _("Escribe el contenido.")})
    note = forms.CharField(label=_("Nota de la revisión"), max_length=200, required=False,
                           help_text=_("Qué cambiaste (opcional)."))

    def __init__(self, *args, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["category"].widget.attrs["list"] = "kb-categories"
        self.category_names = list(KbCategory.objects.values_list("name", flat=True))

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        return {
            "title": article.title, "slug": article.slug, "summary": article.summary,
            "category": article.category.name, "language": article.language,
            "status": article.status, "visibility": article.visibility,
            "tags": ", ".join(article.tags),
            "related": ", ".join(article.related.values_list("slug", flat=True)),
            "body": article.body,
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("Ese slug está reservado; elige otro."))
        taken = Article.objects.filter(slug=slug)
        if self.article is not None:
            taken = taken.exclude(pk=self.article.pk)
        if taken.exists():
            raise ValidationError(_("Ya hay un artículo con ese slug."))
        return slug

    @staticmethod
    def _split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    def clean_tags(self):
        return self._split(self.cleaned_data["tags"])

    def clean_related(self):
        slugs = self._split(self.cleaned_data["related"])
        known = set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        missing = [s for s in slugs if s not in known]
        if missing:
            raise ValidationError(_("No existen estos artículos: %(slugs)s")
                                  % {"slugs": ", ".join(missing)})
        return slugs


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("si", _("Sí")), ("no", _("No"))],
                                     coerce=lambda v: v == "si")
    comment = forms.CharField(label=_("¿Qué le faltó? (opcional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("¿Quieres contarnos algo más? (opcional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
