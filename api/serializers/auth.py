"""The credentials a token is asked for with."""
from rest_framework import serializers


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True, help_text="Leading and trailing spaces are ignored.")
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
