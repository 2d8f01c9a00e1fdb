from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Movies and ratings"

    def ready(self):
        """A change of an account, and logging out, end what is cached for the user. Django's auth views and admin
        make these changes, so a signal is where to hear of them; ratings and marks say so in their services."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from movies import user_state

        for signal in (post_save, post_delete):
            signal.connect(user_state.user_saved_or_deleted, sender=get_user_model(),
                           dispatch_uid=f"user-state-user-{signal}")
        user_logged_out.connect(user_state.user_logged_out, dispatch_uid="user-state-user-logged-out")
