from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Movies and ratings"

    def ready(self):
        """Every change of a user's ratings, marks or account, and logging out, ends what is cached for him."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from movies import user_state
        from movies.models import Mark, Rating

        for signal in (post_save, post_delete):
            signal.connect(user_state.rating_saved_or_deleted, sender=Rating,
                           dispatch_uid=f"user-state-rating-{signal}")
            signal.connect(user_state.rating_saved_or_deleted, sender=Mark,
                           dispatch_uid=f"user-state-mark-{signal}")
            signal.connect(user_state.user_saved_or_deleted, sender=get_user_model(),
                           dispatch_uid=f"user-state-user-{signal}")
        user_logged_out.connect(user_state.user_logged_out, dispatch_uid="user-state-user-logged-out")
