from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """A sign-up creates the customer account that owns tickets and services."""
        user.full_name = form.cleaned_data.get("full_name", "")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import customer_for_new_user

            customer_for_new_user(user=user)
        return user
