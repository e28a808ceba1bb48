"""The error summary of a form that failed (includes/form_errors.html):
each field's errors, each a link to the field it is about."""

from django import template

register = template.Library()

# Widgets drawn as a group (a fieldset of inputs): the link goes to the first.
GROUPS = {"radioselect", "checkboxselectmultiple"}


@register.simple_tag
def error_summary_items(*forms):
    """[{"label", "message", "href"}] for every field error of the forms
    given (a missing one, None or "", skipped), in field order. A hidden
    field has no place to go: its errors are listed without a link."""
    items = []
    for form in forms:
        if not getattr(form, "errors", None):
            continue
        for field in form:
            for message in field.errors:
                items.append({"label": field.label or field.name, "message": message,
                              "href": _anchor(field)})
    return items


def _anchor(field) -> str:
    if field.is_hidden or not field.auto_id:
        return ""
    if field.widget_type in GROUPS:
        return f"#{field.auto_id}_0"
    target = field.id_for_label or field.auto_id
    return f"#{target}"
