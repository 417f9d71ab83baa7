"""Accounts API: API tokens (issue, list, revoke).

Tokens are managed by a signed-in person (the session of the web pages), never by a token: a
leaked token must not be able to mint its successors. A token acts as the user who issued it
(their role, region or organization). The secret is in the answer to the issuing call only;
lists show the name, its first characters, when it was created, last used and revoked.
Staff may list and revoke the tokens of accounts they administer (with a reason); any other
account's tokens answer 404, like missing ones.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status

from jineng.accounts import selectors, services
from jineng.accounts.api_auth import SessionAuth
from jineng.core.api import INT_MAX, error_responses

router = Router(tags=["accounts"])
PERSON_ONLY = [SessionAuth()]


class TokenOut(Schema):
    id: int
    name: str = Field(description="名称: what the token is for, e.g. the system using it")
    prefix: str = Field(description="the token's first 8 characters, to recognise it")
    username: str = Field(description="the account the token acts as")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="to the minute")
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username


class TokenCreatedOut(TokenOut):
    token: str = Field(description="the secret, shown in this answer only: send it as "
                                   "`Authorization: Bearer <token>`")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class RevokeIn(Schema):
    reason: str = Field("", max_length=500,
                        description="required when revoking another account's token")


class TokenFilter(Schema):
    user_id: int | None = Field(None, ge=1, le=INT_MAX,
                                description="an account you administer (default: your own "
                                            "tokens)")


@router.get("/tokens", response={200: list[TokenOut], **error_responses(404)},
            auth=PERSON_ONLY, operation_id="accounts_token_list")
def token_list(request, filters: Query[TokenFilter]):
    actor = request.auth
    user = (selectors.account_get(actor=actor, pk=filters.user_id)
            if filters.user_id and filters.user_id != actor.pk else None)
    return list(selectors.api_token_list(actor=actor, user=user).select_related("user"))


@router.post("/tokens", response={201: TokenCreatedOut, **error_responses(400, 403, 409, 422)},
             auth=PERSON_ONLY, operation_id="accounts_token_create",
             summary="Issue an API token for your account (the secret is shown once)")
def token_create(request, payload: TokenIn):
    row, token = services.api_token_create(actor=request.auth, name=payload.name)
    row.token = token  # in this answer only
    return Status(201, row)


@router.post("/tokens/{token_id}/revoke",
             response={200: TokenOut, **error_responses(400, 404, 422)},
             auth=PERSON_ONLY, operation_id="accounts_token_revoke")
def token_revoke(request, payload: RevokeIn, token_id: int = Path(..., ge=1, le=INT_MAX)):
    return services.api_token_revoke(actor=request.auth, token_id=token_id,
                                     reason=payload.reason)
