"""Forms of the site: browse filters, picks filters, a rating."""
from django import forms

from movies.models import RATING_VALUES
from web import selectors


class FilterForm(forms.Form):
    """Genre and decade, as the picks page filters (every field optional; bad values are ignored)."""

    genre = forms.ChoiceField(required=False)
    decade = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["genre"].choices = [("", "All genres")] + [(name, name) for name in selectors.genre_names()]
        self.fields["decade"].choices = [("", "Any decade")] + [(d, f"{d}s") for d in selectors.decades()]

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped rather than failing the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"genre": data.get("genre") or "", "decade": data.get("decade")}


class BrowseForm(FilterForm):
    q = forms.CharField(required=False, max_length=200, label="Search titles")
    sort = forms.ChoiceField(required=False, choices=list(selectors.SORTS.items()))
    tag = forms.CharField(required=False, max_length=255, label="Tag")

    def filters(self) -> dict:
        filters = super().filters()
        data = getattr(self, "cleaned_data", {})
        return {**filters, "query": (data.get("q") or "").strip(), "sort": data.get("sort") or "popular",
                "tag": " ".join((data.get("tag") or "").split())}


class RatingForm(forms.Form):
    """A rating from the star widget: 0.5 to 5 stars in half steps."""

    value = forms.TypedChoiceField(choices=[(str(v), str(v)) for v in RATING_VALUES], coerce=float)
