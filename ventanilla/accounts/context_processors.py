def area_layout(request):
    """The frame the account pages (Mi cuenta, notification addresses,
    allauth's pages) extend: a customer keeps the client area's menu and an
    agent the console's; a visitor gets the plain public frame."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        layout = "base.html"
    elif user.is_agent:
        layout = "console/base_console.html"
    elif user.customer_account is not None:
        layout = "portal/base_portal.html"
    else:
        layout = "base.html"
    return {"area_layout": layout}
