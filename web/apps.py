from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Website"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from movies.models import Rating
        from web import user_state

        for signal in (post_save, post_delete):
            signal.connect(user_state.rating_saved_or_deleted, sender=Rating, dispatch_uid=f"web-rating-{signal}")
            signal.connect(user_state.user_saved_or_deleted, sender=get_user_model(),
                           dispatch_uid=f"web-user-{signal}")
        user_logged_out.connect(user_state.user_logged_out, dispatch_uid="web-user-logged-out")
