from django import forms
from django.utils import translation

from ventanilla.core.widgets import MemoizedSelect

CHOICES = [("Europe/Madrid", "Madrid"), ("America/Lima", "Lima")]


class ZoneForm(forms.Form):
    zone = forms.ChoiceField(choices=CHOICES, widget=MemoizedSelect(key="test-zones"))


def test_it_renders_like_a_plain_select_and_marks_the_chosen_option():
    html = str(ZoneForm(initial={"zone": "America/Lima"})["zone"])
    plain = forms.Select(choices=CHOICES).render("zone", "America/Lima", {"id": "id_zone"})
    assert html == plain
    assert '<option value="America/Lima" selected>' in html


def test_it_keeps_one_rendering_per_value_and_language():
    a = str(ZoneForm(initial={"zone": "Europe/Madrid"})["zone"])
    b = str(ZoneForm(initial={"zone": "America/Lima"})["zone"])
    assert a != b
    with translation.override("en"):
        str(ZoneForm(initial={"zone": "Europe/Madrid"})["zone"])
    keys = [k for k in MemoizedSelect._rendered if k[0] == "test-zones"]
    assert {(k[2], k[4]) for k in keys} >= {("Europe/Madrid", "es"), ("America/Lima", "es"),
                                            ("Europe/Madrid", "en")}


def test_a_bound_form_with_an_error_keeps_the_value_typed():
    form = ZoneForm(data={"zone": "Mars/Olympus"})
    assert not form.is_valid()
    assert "selected" not in str(form["zone"])
