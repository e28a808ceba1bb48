from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


class MemoizedSelect(forms.Select):
    """A <select> over a large list of choices that never changes at run
    time (time zones): rendering ~600 options cost tens of milliseconds per
    page, so the HTML is rendered once per (key, name, value, attrs, language).

    `key` names the choice list: forms copy their widgets for every
    instance, so the widget object itself cannot be the cache key."""

    _rendered: dict[tuple, str] = {}
    MAX_ENTRIES = 1024

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        cache_key = (self.key, name, str(value or ""), tuple(sorted(attrs.items())), get_language())
        html = self._rendered.get(cache_key)
        if html is None:
            if len(self._rendered) >= self.MAX_ENTRIES:
                self._rendered.clear()
            html = self._rendered[cache_key] = super().render(name, value, attrs, renderer)
        return mark_safe(html)
