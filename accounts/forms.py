from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    """A username and a password twice (Django's password validators apply)."""

    class Meta(UserCreationForm.Meta):
        fields = ["username"]
