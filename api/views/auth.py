"""A token for a username and password, for clients that do not keep a session."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenView(APIView):
    """POST a username and password, get the account's token (the same one on every call)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"], request=AuthTokenSerializer, operation_id="auth_token_create",
        responses={200: OpenApiResponse(inline_serializer("Token", {"token": serializers.CharField()}),
                                        description="Send it as `Authorization: Token <token>`.")},
    )
    def post(self, request):
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=credentials.validated_data["user"])
        return Response({"token": token.key})
