"""A token for a username and password, for clients that do not keep a session."""
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.serializers.auth import CredentialsSerializer


class TokenView(APIView):
    """POST a username and password, get the account's token (the same one on every call).

    Wrong credentials are a 401, not a 400: the request is well formed, the credentials in it are not valid.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"], request=CredentialsSerializer, operation_id="auth_token_create",
        responses={200: OpenApiResponse(inline_serializer("Token", {"token": serializers.CharField()}),
                                        description="Send it as `Authorization: Token <token>`."),
                   401: OpenApiResponse(ErrorSerializer, description="No active account with that username and "
                                                                     "password.")},
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        if user is None:  # also an inactive account (ModelBackend)
            raise AuthenticationFailed("Unable to log in with the username and password given.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def get_authenticate_header(self, request):
        return "Token"  # what a 401 must name (RFC 9110): how the rest of the API is authenticated
